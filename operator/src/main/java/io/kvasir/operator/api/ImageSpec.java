package io.kvasir.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/** Images are named {@code <registry>/kvasir-<component>:<tag>}, one per service. */
public record ImageSpec(
        @JsonPropertyDescription("Registry and path prefix; default ghcr.io/kvasir.") String registry,
        @JsonPropertyDescription("Tag shared by all Kvasir images; default 0.1.0.") String tag,
        @Pattern("^(Always|IfNotPresent|Never)$") @JsonPropertyDescription("Image pull policy; default IfNotPresent.")
        String pullPolicy) {

    public ImageSpec {
        registry = registry == null ? "ghcr.io/kvasir" : registry;
        tag = tag == null ? "0.1.0" : tag;
        pullPolicy = pullPolicy == null ? "IfNotPresent" : pullPolicy;
    }

    public String imageFor(String component) {
        return registry + "/kvasir-" + component + ":" + tag;
    }
}
