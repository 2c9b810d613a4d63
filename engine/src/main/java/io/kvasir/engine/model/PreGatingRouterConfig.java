package io.kvasir.engine.model;

import java.util.List;

/**
 * The Read-ME pre-gating router: a small causal Llama-style transformer over the token ids whose head scores the
 * experts; its argmax at each position is that token's expert in every layer. Stated in config.json as
 * {@code "readme_router": {"num_layers", "hidden_size", "intermediate_size", "num_attention_heads",
 * "num_key_value_heads", "rope_theta", "rms_norm_eps"}}; its tensors are named {@code router.*} (see
 * {@code io.kvasir.engine.moe}).
 */
public record PreGatingRouterConfig(int numLayers, int hiddenSize, int intermediateSize, int numHeads, int numKvHeads,
                                    double ropeTheta, double rmsNormEps) {

    /** The router as a Llama decoder over the model's vocabulary (its head has one row per expert instead). */
    public ModelConfig asDecoder(int vocabSize, int maxPositions) {
        return new ModelConfig(ModelConfig.LLAMA, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads,
                hiddenSize / numHeads, vocabSize, rmsNormEps, ropeTheta, RopeScaling.NONE, maxPositions, false, false,
                0, 0, -1, List.of());
    }
}
