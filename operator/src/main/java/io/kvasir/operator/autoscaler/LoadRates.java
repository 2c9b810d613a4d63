package io.kvasir.operator.autoscaler;

import java.time.Duration;

/** Load over one autoscaler interval: rates and latency quantiles from two samples, gauges from the later one. */
public record LoadRates(
        double promptTokensPerSecond,
        double generationTokensPerSecond,
        double ttftP90Seconds,
        double itlP90Seconds,
        double runningRequests,
        double waitingRequests,
        double kvUsageRatio) {

    static final double QUANTILE = 0.9;

    public static LoadRates between(LoadSample earlier, LoadSample later) {
        double seconds = Duration.between(earlier.time(), later.time()).toMillis() / 1000.0;
        return new LoadRates(
                rate(earlier.promptTokensTotal(), later.promptTokensTotal(), seconds),
                rate(earlier.generationTokensTotal(), later.generationTokensTotal(), seconds),
                later.timeToFirstToken().minus(earlier.timeToFirstToken()).quantile(QUANTILE),
                later.interTokenLatency().minus(earlier.interTokenLatency()).quantile(QUANTILE),
                later.runningRequests(),
                later.waitingRequests(),
                later.kvUsageRatio());
    }

    private static double rate(double earlier, double later, double seconds) {
        // A counter that went down belongs to a restarted gateway: no rate rather than a negative one.
        return seconds <= 0 || later < earlier ? 0 : (later - earlier) / seconds;
    }
}
