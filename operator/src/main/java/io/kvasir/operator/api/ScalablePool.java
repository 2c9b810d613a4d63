package io.kvasir.operator.api;

/** What the autoscaler needs of a pool's spec. */
public interface ScalablePool {
    Integer replicas();

    Integer minReplicas();

    Integer maxReplicas();

    default int clamp(int replicas) {
        return Math.max(minReplicas(), Math.min(maxReplicas(), replicas));
    }
}
