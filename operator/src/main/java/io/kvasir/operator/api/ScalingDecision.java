package io.kvasir.operator.api;

/** One autoscaler action on one pool and why it was taken. */
public record ScalingDecision(
        String time,
        String pool,
        ScalingAction action,
        int fromReplicas,
        int toReplicas,
        String reason) {
}
