package io.kvasir.gateway.events;

import io.kvasir.kvstore.events.EventBus;

import java.util.Optional;

/**
 * The gateway's event bus and what was opened for it: Kafka with {@code kafka.bootstrap.servers}, else the reliable
 * topics of the kv-store cluster through a Hazelcast client when {@code kvasir.kv-store.members} is set, else none
 * (a single-process gateway with neither has nobody to exchange events with).
 */
public final class EventBusConnection implements AutoCloseable {

    private final EventBus bus;
    private final AutoCloseable client;

    /** @param client what the bus runs on and this connection opened (a kv-store client), or null */
    public EventBusConnection(EventBus bus, AutoCloseable client) {
        this.bus = bus;
        this.client = client;
    }

    public static EventBusConnection none() {
        return new EventBusConnection(null, null);
    }

    public Optional<EventBus> bus() {
        return Optional.ofNullable(bus);
    }

    @Override
    public void close() throws Exception {
        if (bus != null) {
            bus.close();
        }
        if (client != null) {
            client.close();
        }
    }
}
