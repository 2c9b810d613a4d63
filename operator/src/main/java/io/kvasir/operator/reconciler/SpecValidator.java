package io.kvasir.operator.reconciler;

import io.kvasir.operator.api.EventBusMode;
import io.kvasir.operator.api.KvasirClusterSpec;
import io.kvasir.operator.api.ModelSource;
import io.kvasir.operator.api.ScalablePool;
import java.util.ArrayList;
import java.util.List;

/**
 * Rules the CRD schema cannot state field by field. The API server already rejects what the schema catches; this
 * catches cross-field mistakes, and everything when the CRD was installed without validation.
 */
final class SpecValidator {
    private SpecValidator() {
    }

    static List<String> problems(KvasirClusterSpec spec) {
        var problems = new ArrayList<String>();
        if (spec == null) {
            return List.of("spec is required");
        }
        ModelSource model = spec.model();
        if (model == null || model.path() == null || model.path().isBlank()) {
            problems.add("spec.model.path is required");
        } else if (!model.path().startsWith("/")) {
            problems.add("spec.model.path must be absolute, got '" + model.path() + "'");
        } else if (model.persistentVolumeClaim() != null && !model.path().startsWith(model.mountPath())) {
            problems.add("spec.model.path '" + model.path() + "' must lie under spec.model.mountPath '"
                    + model.mountPath() + "' where the claim is mounted");
        }
        if (spec.gateway().replicas() < 1) {
            problems.add("spec.gateway.replicas must be at least 1");
        }
        checkPool("prefill", spec.prefill(), problems);
        checkPool("decode", spec.decode(), problems);
        if (spec.decode().pipelineStages() < 1) {
            problems.add("spec.decode.pipelineStages must be at least 1");
        }
        if (spec.kvStore().members() < 1) {
            problems.add("spec.kvStore.members must be at least 1");
        }
        if (spec.kvStore().backupCount() >= spec.kvStore().members()) {
            problems.add("spec.kvStore.backupCount (" + spec.kvStore().backupCount()
                    + ") must be below spec.kvStore.members (" + spec.kvStore().members() + ")");
        }
        if (spec.eventBus().mode() == EventBusMode.KAFKA
                && (spec.eventBus().kafkaBootstrapServers() == null
                || spec.eventBus().kafkaBootstrapServers().isBlank())) {
            problems.add("spec.eventBus.kafkaBootstrapServers is required when spec.eventBus.mode is kafka");
        }
        return problems;
    }

    private static void checkPool(String name, ScalablePool pool, List<String> problems) {
        if (pool.minReplicas() < 0) {
            problems.add("spec." + name + ".minReplicas must not be negative");
        }
        if (pool.minReplicas() > pool.maxReplicas()) {
            problems.add("spec." + name + ".minReplicas (" + pool.minReplicas() + ") exceeds maxReplicas ("
                    + pool.maxReplicas() + ")");
        }
        if (pool.replicas() < pool.minReplicas() || pool.replicas() > pool.maxReplicas()) {
            problems.add("spec." + name + ".replicas (" + pool.replicas() + ") must lie within ["
                    + pool.minReplicas() + ", " + pool.maxReplicas() + "]");
        }
    }
}
