package io.kvasir.kvstore.events;

import java.util.function.Consumer;

/**
 * The cluster's event bus (ARCHITECTURE §7): KV block events, worker load reports and usage records, as JSON on
 * three topics. {@link HazelcastEventBus} on the kv-store cluster is the embedded default, {@link KafkaEventBus}
 * the choice when Kafka is configured ({@link EventBuses#choose}). Publishing never blocks for long; subscribers are
 * called on the bus's own threads.
 */
public interface EventBus extends AutoCloseable {

    String KV_EVENTS = "kvasir.kv-events";
    String WORKER_LOAD = "kvasir.worker-load";
    String USAGE = "kvasir.usage";

    void publish(KvEvent event);

    void publish(WorkerLoad load);

    void publish(UsageRecord usage);

    /** The returned handle stops the subscription. */
    AutoCloseable onKvEvent(Consumer<KvEvent> listener);

    AutoCloseable onWorkerLoad(Consumer<WorkerLoad> listener);

    AutoCloseable onUsage(Consumer<UsageRecord> listener);

    /** Ends every subscription of this bus and releases what it opened itself. */
    @Override
    void close();
}
