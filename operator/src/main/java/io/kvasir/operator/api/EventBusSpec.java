package io.kvasir.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Kafka when bootstrap servers are given, otherwise Hazelcast reliable topics inside the kv-store. */
public record EventBusSpec(
        @JsonPropertyDescription("embedded (Hazelcast reliable topics, default) or kafka.") EventBusMode mode,
        @JsonPropertyDescription("Kafka bootstrap servers, host:port[,host:port]; required when mode is kafka.")
        String kafkaBootstrapServers) {

    public EventBusSpec {
        mode = mode == null ? EventBusMode.EMBEDDED : mode;
    }
}
