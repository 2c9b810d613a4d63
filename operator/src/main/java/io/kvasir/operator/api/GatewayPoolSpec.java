package io.kvasir.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** Gateways are stateless and cheap; they are not autoscaled, only kept at {@code replicas}. */
public record GatewayPoolSpec(
        @Min(1) @JsonPropertyDescription("Number of gateways; default 2.") Integer replicas,
        ResourceRequirements resources) {

    public GatewayPoolSpec {
        replicas = replicas == null ? 2 : replicas;
    }
}
