package io.kvasir.engine.tensor;

import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/** The one compute pool shared by every kernel, sized to the cores (override with -Dkvasir.threads=N). */
public final class Parallel {

    private static final int THREADS =
            Integer.getInteger("kvasir.threads", Runtime.getRuntime().availableProcessors());
    private static final ForkJoinPool POOL = new ForkJoinPool(THREADS);

    private Parallel() {
    }

    public static int threads() {
        return THREADS;
    }

    /** Runs {@code body} for every index in [0, n), spread over the pool; returns when all are done. */
    public static void forEach(int n, IntConsumer body) {
        if (n == 1 || THREADS == 1) {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
            return;
        }
        POOL.submit(() -> IntStream.range(0, n).parallel().forEach(body)).join();
    }
}
