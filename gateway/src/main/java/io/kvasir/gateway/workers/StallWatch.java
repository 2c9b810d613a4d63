package io.kvasir.gateway.workers;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Ends decode streams that went quiet: a worker that stops sending (hung, paused, cut off without a reset) would
 * otherwise hold its client forever, since a stream has no overall deadline. Once a second it asks every open
 * stream how long it has been silent; past the limit the stream is closed and the client gets an error.
 */
final class StallWatch implements AutoCloseable {

    private final long limitNanos;
    private final Set<WorkerCall> streaming = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("kvasir-stall-watch").unstarted(r));

    StallWatch(Duration limit) {
        this.limitNanos = limit.toNanos();
        timer.scheduleWithFixedDelay(() -> {
            long now = System.nanoTime();
            streaming.forEach(c -> c.endIfSilent(now, limitNanos));
        }, 1, 1, TimeUnit.SECONDS);
    }

    Duration limit() {
        return Duration.ofNanos(limitNanos);
    }

    void watch(WorkerCall call) {
        streaming.add(call);
    }

    void forget(WorkerCall call) {
        streaming.remove(call);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
