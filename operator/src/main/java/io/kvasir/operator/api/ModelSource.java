package io.kvasir.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/**
 * The model folder (or GGUF file) the workers load. Either it is baked into the image or sits on a volume the
 * node provides, and {@code path} is enough; or it lives on a PersistentVolumeClaim mounted read-only at
 * {@code mountPath}, and {@code path} must lie under it.
 */
public record ModelSource(
        @Required @Pattern("^/.*") @JsonPropertyDescription("Absolute path of the model inside the worker containers.")
        String path,
        @JsonPropertyDescription("PersistentVolumeClaim holding the model; mounted read-only.")
        String persistentVolumeClaim,
        @Pattern("^/.*") @JsonPropertyDescription("Where the claim is mounted; default /models.")
        String mountPath) {

    public static final String DEFAULT_MOUNT_PATH = "/models";

    public ModelSource {
        mountPath = mountPath == null ? DEFAULT_MOUNT_PATH : mountPath;
    }
}
