package io.kvasir.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import java.time.Duration;

/** Service-level targets the autoscaler holds the pools to, and how quickly it may act. */
public record AutoscalingSpec(
        @JsonPropertyDescription("Scale prefill and decode automatically; default true.") Boolean enabled,
        @Min(0.001) @JsonPropertyDescription("Target p90 time to first token, seconds; default 2.0.") Double targetTtftSeconds,
        @Min(0.0001) @JsonPropertyDescription("Target p90 inter-token latency, seconds; default 0.1.") Double targetItlSeconds,
        @Min(0) @JsonPropertyDescription("Waiting requests tolerated across gateways before adding prefill; default 16.")
        Integer maxQueue,
        @Min(1) @JsonPropertyDescription("Seconds between evaluations; default 15.") Integer intervalSeconds,
        @Min(0) @JsonPropertyDescription("Seconds a lower recommendation must hold before scaling down; default 300.")
        Integer cooldownSeconds,
        @Min(0) @JsonPropertyDescription("Seconds a draining pod may keep serving before it is removed anyway; default 600.")
        Integer drainTimeoutSeconds) {

    public AutoscalingSpec {
        enabled = enabled == null ? Boolean.TRUE : enabled;
        targetTtftSeconds = targetTtftSeconds == null ? 2.0 : targetTtftSeconds;
        targetItlSeconds = targetItlSeconds == null ? 0.1 : targetItlSeconds;
        maxQueue = maxQueue == null ? 16 : maxQueue;
        intervalSeconds = intervalSeconds == null ? 15 : intervalSeconds;
        cooldownSeconds = cooldownSeconds == null ? 300 : cooldownSeconds;
        drainTimeoutSeconds = drainTimeoutSeconds == null ? 600 : drainTimeoutSeconds;
    }

    public Duration interval() {
        return Duration.ofSeconds(intervalSeconds);
    }

    public Duration cooldown() {
        return Duration.ofSeconds(cooldownSeconds);
    }

    public Duration drainTimeout() {
        return Duration.ofSeconds(drainTimeoutSeconds);
    }
}
