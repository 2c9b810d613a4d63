package io.kvasir.operator.autoscaler;

/** A pool size the current load calls for, and the signal that set it. */
public record Recommendation(int replicas, String reason) {
}
