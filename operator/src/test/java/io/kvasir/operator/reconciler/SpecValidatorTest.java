package io.kvasir.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvasir.operator.api.DecodePoolSpec;
import io.kvasir.operator.api.EventBusMode;
import io.kvasir.operator.api.EventBusSpec;
import io.kvasir.operator.api.KvStoreSpec;
import io.kvasir.operator.api.KvasirClusterSpec;
import io.kvasir.operator.api.ModelSource;
import io.kvasir.operator.testing.Samples;
import org.junit.jupiter.api.Test;

class SpecValidatorTest {
    private static KvasirClusterSpec minimal(ModelSource model) {
        return new KvasirClusterSpec(model, null, null, null, null, null, null, null);
    }

    @Test
    void theExampleAndTheDefaultsAreValid() {
        assertThat(SpecValidator.problems(Samples.exampleCluster("x").getSpec())).isEmpty();
        assertThat(SpecValidator.problems(minimal(new ModelSource("/models/m", null, null)))).isEmpty();
    }

    @Test
    void theModelPathMustBeAbsoluteAndUnderTheClaimsMount() {
        assertThat(SpecValidator.problems(minimal(null))).containsExactly("spec.model.path is required");
        assertThat(SpecValidator.problems(minimal(new ModelSource("models/m", null, null))))
                .containsExactly("spec.model.path must be absolute, got 'models/m'");
        assertThat(SpecValidator.problems(minimal(new ModelSource("/data/m", "claim", "/models"))))
                .containsExactly("spec.model.path '/data/m' must lie under spec.model.mountPath '/models' "
                        + "where the claim is mounted");
    }

    @Test
    void crossFieldRules() {
        var spec = new KvasirClusterSpec(new ModelSource("/m", null, null), null, null, null,
                new DecodePoolSpec(9, 1, 4, null, 0, null, null),
                new KvStoreSpec(2, null, 2, null),
                new EventBusSpec(EventBusMode.KAFKA, " "), null);
        assertThat(SpecValidator.problems(spec)).containsExactly(
                "spec.decode.replicas (9) must lie within [1, 4]",
                "spec.decode.pipelineStages must be at least 1",
                "spec.kvStore.backupCount (2) must be below spec.kvStore.members (2)",
                "spec.eventBus.kafkaBootstrapServers is required when spec.eventBus.mode is kafka");
    }
}
