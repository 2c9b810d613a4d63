package io.kvasir.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/** Reads and writes the mixture-of-experts keys of config.json, which differ per architecture. */
final class MoeConfigJson {

    private MoeConfigJson() {
    }

    /** The MoE parameters of {@code arch}, or null for a dense architecture. */
    static MoeConfig read(String arch, JsonNode n) {
        return switch (arch) {
            // Mixtral: every layer is MoE, each expert as wide as intermediate_size, top-k always renormalized.
            case ModelConfig.MIXTRAL -> new MoeConfig(required(n, "num_local_experts"),
                    n.path("num_experts_per_tok").asInt(2), required(n, "intermediate_size"), true, 0, 1,
                    List.of(), null);
            case ModelConfig.QWEN2_MOE -> {
                List<Integer> mlpOnly = new ArrayList<>();
                n.path("mlp_only_layers").forEach(l -> mlpOnly.add(l.asInt()));
                yield new MoeConfig(required(n, "num_experts"), n.path("num_experts_per_tok").asInt(4),
                        required(n, "moe_intermediate_size"), n.path("norm_topk_prob").asBoolean(false),
                        n.path("shared_expert_intermediate_size").asInt(0), n.path("decoder_sparse_step").asInt(1),
                        mlpOnly, null);
            }
            case ModelConfig.READ_ME -> {
                JsonNode r = n.path("readme_router");
                if (!r.isObject()) {
                    throw new IllegalArgumentException("missing object 'readme_router'");
                }
                int hidden = required(r, "hidden_size");
                PreGatingRouterConfig router = new PreGatingRouterConfig(required(r, "num_layers"), hidden,
                        required(r, "intermediate_size"), required(r, "num_attention_heads"),
                        r.path("num_key_value_heads").asInt(required(r, "num_attention_heads")),
                        r.path("rope_theta").asDouble(10000.0), r.path("rms_norm_eps").asDouble(1e-6));
                yield new MoeConfig(required(n, "num_experts"), 1, required(n, "moe_intermediate_size"), false, 0, 1,
                        List.of(), router);
            }
            default -> null;
        };
    }

    static void write(ModelConfig c, ObjectNode n) {
        MoeConfig m = c.moe();
        if (m == null) {
            return;
        }
        switch (c.architecture()) {
            case ModelConfig.MIXTRAL -> {
                n.put("num_local_experts", m.numExperts());
                n.put("num_experts_per_tok", m.expertsPerToken());
            }
            case ModelConfig.QWEN2_MOE -> {
                n.put("num_experts", m.numExperts());
                n.put("num_experts_per_tok", m.expertsPerToken());
                n.put("moe_intermediate_size", m.expertIntermediateSize());
                n.put("norm_topk_prob", m.normTopkProb());
                n.put("shared_expert_intermediate_size", m.sharedExpertIntermediateSize());
                n.put("decoder_sparse_step", m.decoderSparseStep());
                m.mlpOnlyLayers().forEach(n.putArray("mlp_only_layers")::add);
            }
            case ModelConfig.READ_ME -> {
                n.put("num_experts", m.numExperts());
                n.put("moe_intermediate_size", m.expertIntermediateSize());
                PreGatingRouterConfig r = m.router();
                ObjectNode o = n.putObject("readme_router");
                o.put("num_layers", r.numLayers());
                o.put("hidden_size", r.hiddenSize());
                o.put("intermediate_size", r.intermediateSize());
                o.put("num_attention_heads", r.numHeads());
                o.put("num_key_value_heads", r.numKvHeads());
                o.put("rope_theta", r.ropeTheta());
                o.put("rms_norm_eps", r.rmsNormEps());
            }
            default -> throw new IllegalStateException(c.architecture() + " has no MoE keys");
        }
    }

    private static int required(JsonNode n, String key) {
        if (!n.path(key).canConvertToInt()) {
            throw new IllegalArgumentException("missing or non-integer '" + key + "'");
        }
        return n.path(key).asInt();
    }
}
