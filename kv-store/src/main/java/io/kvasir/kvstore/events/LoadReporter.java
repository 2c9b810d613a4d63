package io.kvasir.kvstore.events;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Publishes a worker's load on the bus at a fixed period, on its own daemon thread. */
public final class LoadReporter implements AutoCloseable {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("load-reporter").unstarted(r));

    public LoadReporter(EventBus bus, Supplier<WorkerLoad> load, long periodMillis) {
        timer.scheduleAtFixedRate(() -> {
            try {
                bus.publish(load.get());
            } catch (RuntimeException e) {
                // A store outage must not stop the reports that follow it.
                System.err.println("load report not published: " + e.getMessage());
            }
        }, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
