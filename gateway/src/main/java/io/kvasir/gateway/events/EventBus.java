package io.kvasir.gateway.events;

import java.util.function.Consumer;

/**
 * The cluster's event bus (ARCHITECTURE §7): KV block events, worker load reports and usage records. Kafka when
 * {@code kafka.bootstrap.servers} is set ({@link KafkaEventBus}); the workers' Hazelcast reliable topics otherwise.
 * Publishing never blocks a request; subscribers are called on the bus's own thread.
 */
public interface EventBus extends AutoCloseable {

    String KV_EVENTS = "kvasir.kv-events";
    String WORKER_LOAD = "kvasir.worker-load";
    String USAGE = "kvasir.usage";

    void publish(KvEvent event);

    void publish(WorkerLoadReport report);

    void publish(UsageRecord record);

    void onKvEvent(Consumer<KvEvent> handler);

    void onWorkerLoad(Consumer<WorkerLoadReport> handler);

    void onUsage(Consumer<UsageRecord> handler);

    @Override
    void close();
}
