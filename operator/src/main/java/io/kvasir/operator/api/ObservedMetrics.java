package io.kvasir.operator.api;

/** The gateways' load over the last autoscaler interval, summed over all gateways. */
public record ObservedMetrics(
        String time,
        double promptTokensPerSecond,
        double generationTokensPerSecond,
        double ttftP90Seconds,
        double itlP90Seconds,
        double runningRequests,
        double waitingRequests,
        double kvUsageRatio) {
}
