package io.kvasir.kvstore.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.topic.ITopic;
import com.hazelcast.topic.Message;
import io.kvasir.kvstore.handoff.WorkerJson;

import java.util.UUID;
import java.util.function.Consumer;

/**
 * The embedded event bus: one Hazelcast reliable topic per kind (a ring buffer, so a slow subscriber loses the
 * oldest events rather than stalling publishers). Messages travel as JSON text, so members need none of these
 * classes and a Kafka bus can carry the same payloads.
 */
public final class HazelcastEventBus implements EventBus {

    public static final String KV_TOPIC = "kvasir.kv-events";
    public static final String LOAD_TOPIC = "kvasir.worker-load";
    public static final String USAGE_TOPIC = "kvasir.usage";

    private final HazelcastInstance hazelcast;

    public HazelcastEventBus(HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
    }

    @Override
    public void publish(KvEvent event) {
        send(KV_TOPIC, event);
    }

    @Override
    public void publish(WorkerLoad load) {
        send(LOAD_TOPIC, load);
    }

    @Override
    public void publish(UsageRecord usage) {
        send(USAGE_TOPIC, usage);
    }

    @Override
    public AutoCloseable onKvEvent(Consumer<KvEvent> listener) {
        return subscribe(KV_TOPIC, KvEvent.class, listener);
    }

    @Override
    public AutoCloseable onWorkerLoad(Consumer<WorkerLoad> listener) {
        return subscribe(LOAD_TOPIC, WorkerLoad.class, listener);
    }

    @Override
    public AutoCloseable onUsage(Consumer<UsageRecord> listener) {
        return subscribe(USAGE_TOPIC, UsageRecord.class, listener);
    }

    private void send(String topic, Object payload) {
        try {
            hazelcast.<String>getReliableTopic(topic).publish(WorkerJson.MAPPER.writeValueAsString(payload));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode " + payload, e);
        }
    }

    private <T> AutoCloseable subscribe(String name, Class<T> type, Consumer<T> listener) {
        ITopic<String> topic = hazelcast.getReliableTopic(name);
        UUID id = topic.addMessageListener((Message<String> m) -> {
            try {
                listener.accept(WorkerJson.MAPPER.readValue(m.getMessageObject(), type));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("malformed " + name + " message: " + m.getMessageObject(), e);
            }
        });
        return () -> topic.removeMessageListener(id);
    }
}
