package io.kvasir.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.kvasir.operator.api.KvasirCluster;
import io.kvasir.operator.api.KvasirClusterStatus;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Sets the Ready, Progressing and Degraded conditions; a transition time moves only when a status flips. */
final class ClusterConditions {
    static final String READY = "Ready";
    static final String PROGRESSING = "Progressing";
    static final String DEGRADED = "Degraded";

    private final Clock clock;

    ClusterConditions(Clock clock) {
        this.clock = clock;
    }

    void invalidSpec(KvasirCluster cluster, List<String> problems) {
        String message = String.join("; ", problems);
        set(cluster, READY, false, "InvalidSpec", "the spec is invalid, nothing was changed");
        set(cluster, PROGRESSING, false, "InvalidSpec", "waiting for a valid spec");
        set(cluster, DEGRADED, true, "InvalidSpec", message);
    }

    void applyFailed(KvasirCluster cluster, String message) {
        set(cluster, READY, false, "ApplyFailed", "owned resources could not be written");
        set(cluster, DEGRADED, true, "ApplyFailed", message);
    }

    /** @param notReady pools short of ready replicas, e.g. {@code prefill 1/2}; empty when all are ready */
    void rollout(KvasirCluster cluster, List<String> notReady) {
        if (notReady.isEmpty()) {
            set(cluster, READY, true, "AllPoolsReady", "every pool has its desired ready replicas");
            set(cluster, PROGRESSING, false, "RolloutComplete", "every pool is at its desired replicas");
        } else {
            String message = "waiting for " + String.join(", ", notReady);
            set(cluster, READY, false, "PoolsNotReady", message);
            set(cluster, PROGRESSING, true, "RollingOut", message);
        }
        set(cluster, DEGRADED, false, "AsExpected", "the spec is valid and every owned resource is written");
    }

    private void set(KvasirCluster cluster, String type, boolean status, String reason, String message) {
        KvasirClusterStatus clusterStatus = cluster.getStatus();
        String value = status ? "True" : "False";
        Condition previous = clusterStatus.getConditions().stream()
                .filter(c -> type.equals(c.getType())).findFirst().orElse(null);
        String transition = previous != null && value.equals(previous.getStatus())
                ? previous.getLastTransitionTime()
                : DateTimeFormatter.ISO_INSTANT.format(clock.instant());
        Condition condition = new ConditionBuilder()
                .withType(type)
                .withStatus(value)
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(cluster.getMetadata().getGeneration())
                .withLastTransitionTime(transition)
                .build();
        List<Condition> all = clusterStatus.getConditions();
        int index = all.indexOf(previous);
        if (index < 0) {
            all.add(condition);
        } else {
            all.set(index, condition);
        }
    }
}
