package io.kvasir.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** What the user asks for; the operator derives every owned resource from it. */
public record KvasirClusterSpec(
        @Required @JsonPropertyDescription("Where the workers find the model.") ModelSource model,
        @JsonPropertyDescription("Container images of the Kvasir services.") ImageSpec image,
        @JsonPropertyDescription("OpenAI-compatible gateways.") GatewayPoolSpec gateway,
        @JsonPropertyDescription("Prefill workers.") PrefillPoolSpec prefill,
        @JsonPropertyDescription("Decode workers.") DecodePoolSpec decode,
        @JsonPropertyDescription("Hazelcast members that hold the KV blocks.") KvStoreSpec kvStore,
        @JsonPropertyDescription("Transport for KV events, load reports and usage records.") EventBusSpec eventBus,
        @JsonPropertyDescription("SLO-driven scaling of the prefill and decode pools.") AutoscalingSpec autoscaling) {

    public KvasirClusterSpec {
        image = image == null ? new ImageSpec(null, null, null) : image;
        gateway = gateway == null ? new GatewayPoolSpec(null, null) : gateway;
        prefill = prefill == null ? new PrefillPoolSpec(null, null, null, null, null, null) : prefill;
        decode = decode == null ? new DecodePoolSpec(null, null, null, null, null, null, null) : decode;
        kvStore = kvStore == null ? new KvStoreSpec(null, null, null, null) : kvStore;
        eventBus = eventBus == null ? new EventBusSpec(null, null) : eventBus;
        autoscaling = autoscaling == null
                ? new AutoscalingSpec(null, null, null, null, null, null, null) : autoscaling;
    }
}
