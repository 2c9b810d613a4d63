package io.kvasir.gateway.workers;

import io.kvasir.kvstore.events.WorkerLoad;

import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The workers of one role with what the gateway knows of their load: its own requests in flight on each, the
 * prompt tokens it sent each that are not yet prefilled, and when each last failed. A worker that failed is
 * passed over for a cool-down so retries go elsewhere.
 */
final class WorkerPool {

    private static final long COOL_DOWN_MILLIS = 5_000;

    /** One worker's counters. */
    static final class Worker {
        final URI base;
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicLong queuedTokens = new AtomicLong();
        /** The worker's latest report on the event bus, or null before the first. */
        volatile WorkerLoad reported;
        /** Clock millis of the last failure; 0 for never. */
        final AtomicLong failedAt = new AtomicLong();

        Worker(URI base) {
            this.base = base;
        }

        @Override
        public String toString() {
            return base.toString();
        }
    }

    private final List<Worker> workers;
    private final Clock clock;

    WorkerPool(List<String> urls, Clock clock) {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("no worker URLs configured");
        }
        this.workers = urls.stream().map(u -> new Worker(URI.create(stripSlash(u)))).toList();
        this.clock = clock;
    }

    WorkerPool(List<String> urls) {
        this(urls, Clock.systemUTC());
    }

    /** The best worker by {@code order} that is not in {@code tried}, healthy ones first; null when none is left. */
    Worker pick(Comparator<Worker> order, Set<Worker> tried) {
        long now = clock.millis();
        List<Worker> left = new ArrayList<>();
        for (Worker w : workers) {
            if (!tried.contains(w)) {
                left.add(w);
            }
        }
        return left.stream()
                .min(Comparator.comparing((Worker w) -> w.failedAt.get() != 0 && now - w.failedAt.get() < COOL_DOWN_MILLIS)
                        .thenComparing(order))
                .orElse(null);
    }

    /** Matched by address: workers name themselves {@code role@host:port}, the gateway knows their URLs. */
    void report(WorkerLoad report) {
        String name = report.worker();
        String address = name.substring(name.indexOf('@') + 1);
        for (Worker w : workers) {
            if (w.base.getAuthority().equals(address)) {
                w.reported = report;
            }
        }
    }

    /** Used fraction of the reported KV blocks over the pool, 0 before any report. */
    double kvUsageRatio() {
        long used = 0;
        long total = 0;
        for (Worker w : workers) {
            WorkerLoad r = w.reported;
            if (r != null) {
                used += r.kvBlocksUsed();
                total += r.kvBlocksUsed() + r.kvBlocksFree();
            }
        }
        return total == 0 ? 0 : (double) used / total;
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    void failed(Worker w) {
        w.failedAt.set(clock.millis());
    }

    int size() {
        return workers.size();
    }

    List<Worker> workers() {
        return workers;
    }
}
