package io.kvasir.kvstore.events;

import java.util.function.Supplier;

/** The one rule every process follows, so publishers and subscribers meet on the same bus. */
public final class EventBuses {

    private EventBuses() {
    }

    /**
     * Kafka when {@code kafkaBootstrapServers} names any server, else the kv-store cluster's Hazelcast reliable
     * topics (made only then: a Kafka deployment needs no Hazelcast topics).
     */
    public static EventBus choose(String kafkaBootstrapServers, short kafkaReplicationFactor, Supplier<EventBus> hazelcast) {
        if (kafkaBootstrapServers != null && !kafkaBootstrapServers.isBlank()) {
            return new KafkaEventBus(kafkaBootstrapServers, kafkaReplicationFactor);
        }
        return hazelcast.get();
    }
}
