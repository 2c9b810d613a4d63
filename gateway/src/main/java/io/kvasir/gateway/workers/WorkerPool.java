package io.kvasir.gateway.workers;

import io.kvasir.gateway.routing.RoutingChoice;
import io.kvasir.kvstore.events.WorkerLoad;

import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The workers of one role with what the gateway knows of their load: its own requests in flight on each, the
 * prompt tokens it sent each that are not yet prefilled, their latest load report, and when each last failed. A
 * worker that failed is passed over for a cool-down so retries go elsewhere. Membership can change
 * ({@link #update}): a worker that leaves (a draining pod drops out of its Service) gets no new requests, while
 * those it is serving run to the end.
 */
final class WorkerPool {

    private static final long COOL_DOWN_MILLIS = 5_000;

    /** One worker's counters. */
    static final class Worker implements RoutingChoice.Load {
        final URI base;
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicLong queuedTokens = new AtomicLong();
        /** The worker's latest report on the event bus, or null before the first. */
        volatile WorkerLoad reported;
        /** Clock millis of the last failure; 0 for never. */
        final AtomicLong failedAt = new AtomicLong();
        /** False once the worker left the pool's membership: it finishes what it has and gets nothing new. */
        volatile boolean serving = true;

        Worker(URI base) {
            this.base = base;
        }

        @Override
        public long queuedTokens() {
            return queuedTokens.get();
        }

        @Override
        public int inFlight() {
            return inFlight.get();
        }

        @Override
        public boolean reported() {
            return reported != null;
        }

        @Override
        public int reportedQueue() {
            WorkerLoad r = reported;
            return r == null ? 0 : r.queueLength();
        }

        @Override
        public int reportedActive() {
            WorkerLoad r = reported;
            return r == null ? 0 : r.activeSequences();
        }

        @Override
        public int reportedFreeBlocks() {
            WorkerLoad r = reported;
            return r == null ? 0 : r.kvBlocksFree();
        }

        @Override
        public String toString() {
            return base.toString();
        }
    }

    /** By authority (host:port); guarded by this. */
    private final Map<String, Worker> workers = new LinkedHashMap<>();
    private final Clock clock;

    WorkerPool(List<String> urls, Clock clock) {
        this.clock = clock;
        update(urls.stream().map(WorkerPool::uri).toList());
    }

    WorkerPool(List<String> urls) {
        this(urls, Clock.systemUTC());
    }

    static URI uri(String url) {
        return URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    }

    /**
     * The pool's members now: new ones join, known ones keep their counters, and missing ones stop serving (and
     * are forgotten once nothing of this gateway runs on them).
     */
    synchronized void update(Collection<URI> members) {
        Set<String> now = new java.util.HashSet<>();
        for (URI u : members) {
            now.add(u.getAuthority());
            workers.computeIfAbsent(u.getAuthority(), a -> new Worker(u)).serving = true;
        }
        workers.values().removeIf(w -> {
            w.serving = now.contains(w.base.getAuthority());
            return !w.serving && w.inFlight.get() == 0;
        });
    }

    /** The best serving worker by {@code order} that is not in {@code tried}, healthy ones first; null when none is left. */
    Worker pick(Comparator<? super Worker> order, Set<Worker> tried) {
        long now = clock.millis();
        return workers().stream()
                .filter(w -> w.serving && !tried.contains(w))
                .min(Comparator.comparing((Worker w) -> w.failedAt.get() != 0 && now - w.failedAt.get() < COOL_DOWN_MILLIS)
                        .thenComparing(order))
                .orElse(null);
    }

    /** Matched by address: workers name themselves {@code role@host:port}, the gateway knows their URLs. */
    void report(WorkerLoad report) {
        String name = report.worker();
        String address = name.substring(name.indexOf('@') + 1);
        Worker w;
        synchronized (this) {
            w = workers.get(address);
        }
        if (w != null) {
            w.reported = report;
        }
    }

    /** Used fraction of the reported KV blocks over the pool, 0 before any report. */
    double kvUsageRatio() {
        long used = 0;
        long total = 0;
        for (Worker w : workers()) {
            WorkerLoad r = w.reported;
            if (r != null) {
                used += r.kvBlocksUsed();
                total += r.kvBlocksUsed() + r.kvBlocksFree();
            }
        }
        return total == 0 ? 0 : (double) used / total;
    }

    void failed(Worker w) {
        w.failedAt.set(clock.millis());
    }

    /** Every known worker, serving or finishing. */
    synchronized List<Worker> workers() {
        return new ArrayList<>(workers.values());
    }
}
