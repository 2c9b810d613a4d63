package io.kvasir.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** Kafka when bootstrap servers are given, otherwise Hazelcast reliable topics inside the kv-store. */
@ValidationRule(value = "!has(self.mode) || self.mode != 'kafka' || (has(self.kafkaBootstrapServers) && size(self.kafkaBootstrapServers) > 0)",
        message = "kafkaBootstrapServers is required when mode is kafka")
public record EventBusSpec(
        @JsonPropertyDescription("embedded (Hazelcast reliable topics, default) or kafka.") EventBusMode mode,
        @JsonPropertyDescription("Kafka bootstrap servers, host:port[,host:port]; required when mode is kafka.")
        String kafkaBootstrapServers) {

    public EventBusSpec {
        mode = mode == null ? EventBusMode.EMBEDDED : mode;
    }
}
