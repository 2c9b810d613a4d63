package io.kvasir.engine.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * The one compute pool shared by every kernel, sized to the cores (override with -Dkvasir.threads=N): the calling
 * thread plus N−1 workers take indices from a shared counter.
 *
 * <p>Why not a ForkJoinPool: a decode step issues about fifty short parallel products back to back, and waking parked
 * workers for each costs tens of microseconds — on an idle machine, whose cores sleep deeply, that was a third of the
 * step. Here workers spin for {@link #SPIN_NANOS} after each job before parking, so the next product finds them awake,
 * and the caller works instead of waiting. Nested calls (from inside a body) run on the calling thread; concurrent
 * callers take turns.
 */
public final class Parallel {

    private static final int THREADS =
            Math.max(1, Integer.getInteger("kvasir.threads", Runtime.getRuntime().availableProcessors()));
    private static final long SPIN_NANOS = 200_000;
    private static final ReentrantLock DISPATCH = new ReentrantLock();
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);
    private static final Worker[] WORKERS = new Worker[THREADS - 1];

    /** The job being run: published by bumping {@link #generation}. */
    private static volatile IntConsumer body;
    private static volatile int size;
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final AtomicInteger FINISHED = new AtomicInteger();
    private static final AtomicReference<Throwable> FAILURE = new AtomicReference<>();
    private static volatile long generation;

    static {
        for (int i = 0; i < WORKERS.length; i++) {
            WORKERS[i] = new Worker("kvasir-compute-" + (i + 1));
            WORKERS[i].start();
        }
    }

    private Parallel() {
    }

    public static int threads() {
        return THREADS;
    }

    /** Runs {@code body} for every index in [0, n), spread over the pool; returns when all are done. */
    public static void forEach(int n, IntConsumer body) {
        if (n <= 0) {
            return;
        }
        if (n == 1 || THREADS == 1 || INSIDE.get()) {
            runAll(n, body);
            return;
        }
        DISPATCH.lock();
        INSIDE.set(true);
        try {
            Parallel.body = body;
            Parallel.size = n;
            NEXT.set(0);
            FINISHED.set(0);
            FAILURE.set(null);
            generation++;                                   // publishes the job to spinning workers
            for (Worker w : WORKERS) {
                LockSupport.unpark(w);
            }
            work(body, n);
            while (FINISHED.get() < WORKERS.length) {
                Thread.onSpinWait();
            }
            Parallel.body = null;
            Throwable failure = FAILURE.get();
            if (failure instanceof RuntimeException e) {
                throw e;
            } else if (failure instanceof Error e) {
                throw e;
            }
        } finally {
            INSIDE.set(false);
            DISPATCH.unlock();
        }
    }

    private static void runAll(int n, IntConsumer body) {
        boolean outer = !INSIDE.get();
        INSIDE.set(true);
        try {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
        } finally {
            if (outer) {
                INSIDE.set(false);
            }
        }
    }

    private static void work(IntConsumer body, int n) {
        for (int i = NEXT.getAndIncrement(); i < n; i = NEXT.getAndIncrement()) {
            try {
                body.accept(i);
            } catch (Throwable t) {
                FAILURE.compareAndSet(null, t);
                NEXT.set(n);                                // stop handing out work
            }
        }
    }

    private static final class Worker extends Thread {

        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        @Override
        public void run() {
            INSIDE.set(true);
            long seen = 0;
            while (true) {
                long spinUntil = System.nanoTime() + SPIN_NANOS;
                while (generation == seen) {
                    if (System.nanoTime() < spinUntil) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                    }
                }
                seen = generation;
                IntConsumer job = body;
                if (job != null) {
                    work(job, size);
                }
                FINISHED.incrementAndGet();
            }
        }
    }
}
