package io.kvasir.engine.model.format;

import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.RopeScaling;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Reads a {@link ModelConfig} from the {@code <arch>.*} metadata keys of a {@code qwen2} or {@code llama} GGUF. */
final class GgufModelConfig {

    static final String ARCH_KEY = "general.architecture";

    private final GgufFile file;
    private final String arch;

    private GgufModelConfig(GgufFile file, String arch) {
        this.file = file;
        this.arch = arch;
    }

    static String architecture(GgufFile file) throws IOException {
        Object arch = file.metadata().get(ARCH_KEY);
        if (!"qwen2".equals(arch) && !"llama".equals(arch)) {
            throw new IOException(file.description() + ": unsupported " + ARCH_KEY + " '" + arch + "' (supported: qwen2, llama)");
        }
        return (String) arch;
    }

    static ModelConfig read(GgufFile file, int vocabSize) throws IOException {
        return new GgufModelConfig(file, architecture(file)).read(vocabSize);
    }

    private ModelConfig read(int vocabSize) throws IOException {
        if (file.tensors().containsKey("rope_freqs.weight")) {
            // Llama 3.1-style scaling is stored as per-frequency factors whose parameters cannot be recovered.
            throw new IOException(file.description() + ": rope_freqs.weight (llama3 RoPE scaling) is not supported");
        }
        boolean qwen = arch.equals("qwen2");
        int hidden = required("embedding_length");
        int heads = required("attention.head_count");
        int layers = required("block_count");
        Map<String, Object> m = file.metadata();
        Object eos = m.get(GgufVocabulary.PREFIX + "eos_token_id");
        Object bos = m.get(GgufVocabulary.PREFIX + "bos_token_id");
        try {
            return new ModelConfig(qwen ? ModelConfig.QWEN2 : ModelConfig.LLAMA, hidden,
                    required("feed_forward_length"), layers, heads, optional("attention.head_count_kv", heads),
                    optional("attention.key_length", hidden / heads), vocabSize,
                    decimal(number("attention.layer_norm_rms_epsilon")),
                    m.containsKey(key("rope.freq_base")) ? decimal(number("rope.freq_base")) : 10000.0,
                    ropeScaling(), required("context_length"),
                    !file.tensors().containsKey("output.weight"),
                    qwen || file.tensors().containsKey("blk.0.attn_q.bias"),
                    0, qwen ? layers : 0,
                    bos instanceof Number n ? n.intValue() : -1,
                    eos instanceof Number n ? List.of(n.intValue()) : List.of());
        } catch (IllegalArgumentException e) {
            throw new IOException(file.description() + ": " + e.getMessage(), e);
        }
    }

    private RopeScaling ropeScaling() throws IOException {
        Object type = file.metadata().getOrDefault(key("rope.scaling.type"), "none");
        return switch (String.valueOf(type)) {
            case "none" -> RopeScaling.NONE;
            case "linear", "yarn" -> new RopeScaling(type.toString(), decimal(number("rope.scaling.factor")),
                    optional("rope.scaling.original_context_length", 0), RopeScaling.NONE.betaFast(),
                    RopeScaling.NONE.betaSlow(), RopeScaling.NONE.lowFreqFactor(), RopeScaling.NONE.highFreqFactor());
            default -> throw new IOException(file.description() + ": unsupported " + key("rope.scaling.type") + " '" + type + "'");
        };
    }

    private String key(String suffix) {
        return arch + "." + suffix;
    }

    private int required(String suffix) throws IOException {
        return number(suffix).intValue();
    }

    private Number number(String suffix) throws IOException {
        if (!(file.metadata().get(key(suffix)) instanceof Number n)) {
            throw new IOException(file.description() + ": missing or non-numeric metadata '" + key(suffix) + "'");
        }
        return n;
    }

    private int optional(String suffix, int fallback) {
        return file.metadata().get(key(suffix)) instanceof Number n ? n.intValue() : fallback;
    }

    /** GGUF stores these as f32; keep the decimal the writer meant (1e-6, not 9.99999997e-7). */
    private static double decimal(Number n) {
        return n instanceof Float f ? Double.parseDouble(Float.toString(f)) : n.doubleValue();
    }
}
