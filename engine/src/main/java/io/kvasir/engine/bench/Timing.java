package io.kvasir.engine.bench;

import java.util.Arrays;

/** Times a piece of work the way every benchmark here does: warm up, then the median of several samples. */
final class Timing {

    /** Long enough for the JIT to compile the kernels fully (C2, after thousands of loop iterations). */
    private static final long WARMUP_NANOS = 1_000_000_000L;
    private static final int MIN_WARMUPS = 3;
    private static final int SAMPLES = 7;
    /** Samples shorter than this are dominated by timer and scheduling noise, so short work is repeated. */
    private static final long MIN_SAMPLE_NANOS = 30_000_000L;

    private Timing() {
    }

    /** Median seconds per call of {@code work}. */
    static double medianSeconds(Runnable work) {
        long warmupStart = System.nanoTime();
        int warmups = 0;
        while (warmups < MIN_WARMUPS || System.nanoTime() - warmupStart < WARMUP_NANOS) {
            work.run();
            warmups++;
        }
        double single = repeat(work, MIN_WARMUPS) / MIN_WARMUPS;
        int reps = (int) Math.max(1, Math.min(100_000, MIN_SAMPLE_NANOS * 1e-9 / single));
        double[] samples = new double[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            samples[i] = repeat(work, reps) / reps;
        }
        Arrays.sort(samples);
        return samples[SAMPLES / 2];
    }

    private static double repeat(Runnable work, int reps) {
        long start = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            work.run();
        }
        return (System.nanoTime() - start) * 1e-9;
    }
}
