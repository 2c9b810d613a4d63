package io.kvasir.engine.tensor;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

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

    /**
     * Runs {@code body} for every index in [0, n), spread over the pool; returns when all are done.
     * Callers pass coarse work items (a tile, a chunk of rows): the range is split in halves down to single
     * indices, which costs a few microseconds per index and lets idle workers steal the larger halves.
     */
    public static void forEach(int n, IntConsumer body) {
        if (n <= 0) {
            return;
        }
        if (n == 1 || THREADS == 1) {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
            return;
        }
        Range all = new Range(0, n, body);
        if (ForkJoinTask.getPool() == POOL) {
            // Already on a worker (nested call): forking from here keeps the caller working instead of blocking it.
            all.invoke();
        } else {
            POOL.invoke(all);
        }
    }

    private static final class Range extends RecursiveAction {
        private final int from;
        private final int to;
        private final transient IntConsumer body;

        Range(int from, int to, IntConsumer body) {
            this.from = from;
            this.to = to;
            this.body = body;
        }

        @Override
        protected void compute() {
            if (to - from == 1) {
                body.accept(from);
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Range(from, mid, body), new Range(mid, to, body));
        }
    }
}
