package io.kvasir.kvstore.events;

import java.util.function.Consumer;

/** KV events, worker load reports and usage records; Hazelcast reliable topics here, Kafka with the gateway. */
public interface EventBus {

    void publish(KvEvent event);

    void publish(WorkerLoad load);

    void publish(UsageRecord usage);

    /** The returned handle stops the subscription. */
    AutoCloseable onKvEvent(Consumer<KvEvent> listener);

    AutoCloseable onWorkerLoad(Consumer<WorkerLoad> listener);

    AutoCloseable onUsage(Consumer<UsageRecord> listener);
}
