package io.kvasir.kvstore.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.topic.ITopic;
import com.hazelcast.topic.Message;
import com.hazelcast.topic.ReliableMessageListener;
import io.kvasir.kvstore.handoff.WorkerJson;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The embedded event bus: one Hazelcast reliable topic per kind (a ring buffer, so a slow subscriber loses the
 * oldest events rather than stalling publishers). Messages travel as JSON text, so members need none of these
 * classes and the Kafka bus carries the same payloads. A subscriber starts at the oldest message the ring buffer
 * still holds, as the Kafka bus starts at the oldest retained record, so a gateway that starts late still learns
 * which blocks the store holds. Uses the caller's Hazelcast instance, which it does not close.
 */
public final class HazelcastEventBus implements EventBus {

    private static final System.Logger LOG = System.getLogger(HazelcastEventBus.class.getName());
    /** Hazelcast keeps a reliable topic's messages in the ring buffer of this name plus the topic's. */
    private static final String RING_BUFFER_PREFIX = "_hz_rb_";

    private final HazelcastInstance hazelcast;
    private final List<AutoCloseable> subscriptions = new CopyOnWriteArrayList<>();

    public HazelcastEventBus(HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
    }

    @Override
    public void publish(KvEvent event) {
        send(KV_EVENTS, event);
    }

    @Override
    public void publish(WorkerLoad load) {
        send(WORKER_LOAD, load);
    }

    @Override
    public void publish(UsageRecord usage) {
        send(USAGE, usage);
    }

    @Override
    public AutoCloseable onKvEvent(Consumer<KvEvent> listener) {
        return subscribe(KV_EVENTS, KvEvent.class, listener);
    }

    @Override
    public AutoCloseable onWorkerLoad(Consumer<WorkerLoad> listener) {
        return subscribe(WORKER_LOAD, WorkerLoad.class, listener);
    }

    @Override
    public AutoCloseable onUsage(Consumer<UsageRecord> listener) {
        return subscribe(USAGE, UsageRecord.class, listener);
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
        long oldest = hazelcast.getRingbuffer(RING_BUFFER_PREFIX + name).headSequence();
        UUID id = topic.addMessageListener(new LossTolerant<>(name, type, listener, oldest));
        AutoCloseable handle = () -> topic.removeMessageListener(id);
        subscriptions.add(handle);
        return handle;
    }

    @Override
    public void close() {
        for (AutoCloseable s : subscriptions) {
            try {
                s.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "subscription already gone: " + e.getMessage());
            }
        }
        subscriptions.clear();
    }

    /**
     * Starts at {@code from}, skips what the ring buffer overwrote before it was read and survives a bad message:
     * Hazelcast's default adapter would end the subscription for good on the first of either.
     */
    private record LossTolerant<T>(String topic, Class<T> type, Consumer<T> listener, long from)
            implements ReliableMessageListener<String> {

        @Override
        public void onMessage(Message<String> m) {
            try {
                listener.accept(WorkerJson.MAPPER.readValue(m.getMessageObject(), type));
            } catch (JsonProcessingException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "skipping a message on " + topic + ": " + e.getMessage());
            }
        }

        @Override
        public long retrieveInitialSequence() {
            return from;
        }

        @Override
        public void storeSequence(long sequence) {
        }

        @Override
        public boolean isLossTolerant() {
            return true;
        }

        @Override
        public boolean isTerminal(Throwable failure) {
            return false;
        }
    }
}
