package io.kvasir.gateway.events;

import java.util.function.Consumer;

/**
 * The cluster's event bus (ARCHITECTURE §7): KV block events, worker load reports and usage records. The same
 * contract as the kv-store module's {@code EventBus} (issue 4), whose Hazelcast reliable topics are the embedded
 * default; {@link KafkaEventBus} is the implementation used when {@code kafka.bootstrap.servers} is set.
 * Publishing never blocks a request; subscribers are called on the bus's own thread.
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

    @Override
    void close();
}
