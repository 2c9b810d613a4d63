package io.kvasir.operator.autoscaler;

import io.kvasir.operator.api.KvasirCluster;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A gateway's counters driven by a test: each {@link #run} adds one interval of traffic at a given rate and
 * latency, the way a gateway's cumulative counters and histograms would grow.
 */
final class SyntheticLoad implements LoadSource {
    static final double[] BOUNDS = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, Double.POSITIVE_INFINITY};

    private final Clock clock;
    private double promptTokens;
    private double generationTokens;
    private double running;
    private double waiting;
    private final TreeMap<Double, Double> ttft = new TreeMap<>();
    private final TreeMap<Double, Double> itl = new TreeMap<>();

    SyntheticLoad(Clock clock) {
        this.clock = clock;
        for (double bound : BOUNDS) {
            ttft.put(bound, 0.0);
            itl.put(bound, 0.0);
        }
    }

    /**
     * One interval of traffic: prompt tokens at {@code promptTokensPerSecond}, 10 requests a second whose time to
     * first token is {@code ttftSeconds}, and {@code activeSequences} decoding with {@code itlSeconds} per token.
     * A latency of 0 means no requests of that kind completed.
     */
    SyntheticLoad run(Duration interval, double promptTokensPerSecond, double ttftSeconds, double activeSequences,
                      double itlSeconds) {
        double seconds = interval.toSeconds();
        promptTokens += promptTokensPerSecond * seconds;
        generationTokens += activeSequences * seconds * 10;
        running = activeSequences;
        if (ttftSeconds > 0) {
            observe(ttft, ttftSeconds, 10 * seconds);
        }
        if (itlSeconds > 0) {
            observe(itl, itlSeconds, activeSequences * seconds * 10);
        }
        return this;
    }

    SyntheticLoad waiting(double requests) {
        waiting = requests;
        return this;
    }

    private static void observe(TreeMap<Double, Double> histogram, double value, double count) {
        histogram.replaceAll((bound, cumulative) -> bound >= value ? cumulative + count : cumulative);
    }

    @Override
    public Optional<LoadSample> sample(KvasirCluster cluster) {
        return Optional.of(new LoadSample(clock.instant(), promptTokens, generationTokens, running, waiting, 0.5,
                Histogram.of(new TreeMap<>(ttft)), Histogram.of(new TreeMap<>(itl))));
    }
}
