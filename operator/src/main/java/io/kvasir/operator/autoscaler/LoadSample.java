package io.kvasir.operator.autoscaler;

import java.time.Instant;

/** The gateways' cumulative counters and current gauges at one instant, summed over gateways. */
public record LoadSample(
        Instant time,
        double promptTokensTotal,
        double generationTokensTotal,
        double runningRequests,
        double waitingRequests,
        double kvUsageRatio,
        Histogram timeToFirstToken,
        Histogram interTokenLatency) {

    /** Adds another gateway's sample; KV usage is a ratio, so the larger of the two is kept. */
    public LoadSample plus(LoadSample other) {
        return new LoadSample(time,
                promptTokensTotal + other.promptTokensTotal,
                generationTokensTotal + other.generationTokensTotal,
                runningRequests + other.runningRequests,
                waitingRequests + other.waitingRequests,
                Math.max(kvUsageRatio, other.kvUsageRatio),
                timeToFirstToken.plus(other.timeToFirstToken),
                interTokenLatency.plus(other.interTokenLatency));
    }
}
