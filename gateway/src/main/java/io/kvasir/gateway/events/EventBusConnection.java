package io.kvasir.gateway.events;

import java.util.Optional;

/**
 * The gateway's event bus, when one is configured: Kafka with {@code kafka.bootstrap.servers}, else none here
 * (the Hazelcast reliable topics belong to the workers' kv-store client, issue 4).
 */
public record EventBusConnection(Optional<EventBus> bus) {}
