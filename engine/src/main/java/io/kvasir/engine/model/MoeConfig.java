package io.kvasir.engine.model;

import java.util.List;

/**
 * The mixture-of-experts hyper-parameters of a model, in the terms of its config.json.
 *
 * @param numExperts               experts per MoE layer
 * @param expertsPerToken          top-k of the per-layer router (1 for the pre-gated Read-ME form)
 * @param expertIntermediateSize   FFN width of one expert
 * @param normTopkProb             renormalize the k chosen routing weights to sum to one
 * @param sharedExpertIntermediateSize FFN width of the always-on shared expert (Qwen2-MoE), 0 for none
 * @param decoderSparseStep        every {@code decoderSparseStep}-th layer is MoE (Qwen2-MoE), 1 = all
 * @param mlpOnlyLayers            layers that keep a dense MLP of {@code intermediate_size}
 * @param router                   the Read-ME pre-gating router, or null when every layer routes for itself
 */
public record MoeConfig(int numExperts, int expertsPerToken, int expertIntermediateSize, boolean normTopkProb,
                        int sharedExpertIntermediateSize, int decoderSparseStep, List<Integer> mlpOnlyLayers,
                        PreGatingRouterConfig router) {

    public MoeConfig {
        if (numExperts <= 0 || expertsPerToken <= 0 || expertsPerToken > numExperts || expertIntermediateSize <= 0
                || decoderSparseStep <= 0) {
            throw new IllegalArgumentException("config: invalid MoE sizes (experts " + numExperts + ", per token "
                    + expertsPerToken + ", expert FFN " + expertIntermediateSize + ")");
        }
        if (router != null && expertsPerToken != 1) {
            throw new IllegalArgumentException("config: a pre-gated (Read-ME) model routes each token to one expert");
        }
        mlpOnlyLayers = List.copyOf(mlpOnlyLayers);
    }

    public boolean isPreGated() {
        return router != null;
    }

    /** Whether layer {@code layer} has experts (else a dense MLP); Qwen2-MoE's {@code (l + 1) % step == 0} rule. */
    public boolean isMoeLayer(int layer) {
        return !mlpOnlyLayers.contains(layer) && (layer + 1) % decoderSparseStep == 0;
    }
}
