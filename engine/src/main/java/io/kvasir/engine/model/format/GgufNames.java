package io.kvasir.engine.model.format;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Translates tensor names between GGUF ({@code blk.3.attn_q.weight}) and Hugging Face ({@code model.layers.3.self_attn.q_proj.weight}). */
final class GgufNames {

    private static final Map<String, String> GLOBAL = Map.of(
            "token_embd", "model.embed_tokens",
            "output_norm", "model.norm",
            "output", "lm_head");

    private static final Map<String, String> LAYER = Map.of(
            "attn_q", "self_attn.q_proj",
            "attn_k", "self_attn.k_proj",
            "attn_v", "self_attn.v_proj",
            "attn_output", "self_attn.o_proj",
            "attn_norm", "input_layernorm",
            "ffn_norm", "post_attention_layernorm",
            "ffn_gate", "mlp.gate_proj",
            "ffn_up", "mlp.up_proj",
            "ffn_down", "mlp.down_proj");

    private static final Pattern GGUF_LAYER = Pattern.compile("blk\\.(\\d+)\\.(\\w+)\\.(weight|bias)");
    private static final Pattern HF_LAYER = Pattern.compile("model\\.layers\\.(\\d+)\\.([\\w.]+)\\.(weight|bias)");
    private static final Pattern GLOBAL_NAME = Pattern.compile("([\\w.]+)\\.(weight|bias)");

    private GgufNames() {
    }

    static Optional<String> toHf(String gguf) {
        Matcher m = GGUF_LAYER.matcher(gguf);
        if (m.matches()) {
            return Optional.ofNullable(LAYER.get(m.group(2)))
                    .map(hf -> "model.layers." + m.group(1) + "." + hf + "." + m.group(3));
        }
        Matcher g = GLOBAL_NAME.matcher(gguf);
        return g.matches() ? Optional.ofNullable(GLOBAL.get(g.group(1))).map(hf -> hf + "." + g.group(2)) : Optional.empty();
    }

    static Optional<String> toGguf(String hf) {
        Matcher m = HF_LAYER.matcher(hf);
        if (m.matches()) {
            return LAYER.entrySet().stream().filter(e -> e.getValue().equals(m.group(2))).findFirst()
                    .map(e -> "blk." + m.group(1) + "." + e.getKey() + "." + m.group(3));
        }
        Matcher g = GLOBAL_NAME.matcher(hf);
        return g.matches()
                ? GLOBAL.entrySet().stream().filter(e -> e.getValue().equals(g.group(1))).findFirst()
                        .map(e -> e.getKey() + "." + g.group(2))
                : Optional.empty();
    }
}
