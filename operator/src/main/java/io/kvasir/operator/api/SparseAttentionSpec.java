package io.kvasir.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;

/** Sparse-attention settings of the prefill workers (ARCHITECTURE §3). */
public record SparseAttentionSpec(
        @JsonPropertyDescription("Sparse method; default vertical-slash.") SparseMethod method,
        @Min(0) @JsonPropertyDescription("Prompts shorter than this stay dense; default 32768.") Integer lengthThreshold,
        @JsonPropertyDescription("Per-head pattern file (MInference format) inside the model folder.") String patternFile) {

    public SparseAttentionSpec {
        method = method == null ? SparseMethod.VERTICAL_SLASH : method;
        lengthThreshold = lengthThreshold == null ? 32768 : lengthThreshold;
    }
}
