package io.kvasir.engine.model.format;

import io.kvasir.engine.model.HostTensor;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.RopeScaling;
import io.kvasir.engine.tensor.DType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a Hugging Face-layout model as a GGUF that llama.cpp loads ({@code qwen2} or {@code llama} architecture).
 * Matrices go in the requested dtype, norms and biases always in F32 (llama.cpp requires it). For {@code llama},
 * q_proj and k_proj rows are reordered for llama.cpp's interleaved RoPE (see {@link RopePermutation}).
 */
public final class GgufModelExporter {

    private GgufModelExporter() {
    }

    public static void export(ModelConfig config, List<HostTensor> hfTensors, GgufVocabulary vocab, DType dtype,
                              Path out) throws IOException {
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("GGUF export supports F32, F16 and BF16, not " + dtype);
        }
        String arch = config.isQwen2() ? "qwen2" : "llama";
        String name = out.getFileName().toString().replaceFirst("\\.gguf$", "");
        GgufWriter w = new GgufWriter()
                .putString(GgufModelConfig.ARCH_KEY, arch)
                .putString("general.name", name)
                .putU32("general.file_type", fileType(dtype));
        hyperParameters(w, arch, config);
        tokenizer(w, vocab, config);
        for (HostTensor t : hfTensors) {
            if (config.tieWordEmbeddings() && t.name().equals("lm_head.weight")) {
                continue;
            }
            String gguf = GgufNames.toGguf(t.name()).orElseThrow(() ->
                    new IllegalArgumentException("tensor '" + t.name() + "' has no GGUF counterpart"));
            w.addTensor(gguf, t.shape(), ropeOrder(config, t), t.shape().length == 1 ? DType.F32 : dtype);
        }
        w.write(out);
    }

    /** llama.cpp's {@code llama_ftype}: the predominant tensor type, shown by tools. */
    private static int fileType(DType dtype) {
        return switch (dtype) {
            case F32 -> 0;
            case F16 -> 1;
            case BF16 -> 32;
            case Q8_0 -> 7;
        };
    }

    private static void hyperParameters(GgufWriter w, String arch, ModelConfig c) {
        w.putU32(arch + ".context_length", c.maxPositionEmbeddings())
                .putU32(arch + ".embedding_length", c.hiddenSize())
                .putU32(arch + ".block_count", c.numLayers())
                .putU32(arch + ".feed_forward_length", c.intermediateSize())
                .putU32(arch + ".attention.head_count", c.numHeads())
                .putU32(arch + ".attention.head_count_kv", c.numKvHeads())
                .putF32(arch + ".rope.freq_base", (float) c.ropeTheta())
                .putF32(arch + ".attention.layer_norm_rms_epsilon", (float) c.rmsNormEps())
                .putU32(arch + ".rope.dimension_count", c.headDim());
        if (c.headDim() * c.numHeads() != c.hiddenSize()) {
            w.putU32(arch + ".attention.key_length", c.headDim()).putU32(arch + ".attention.value_length", c.headDim());
        }
        RopeScaling s = c.ropeScaling();
        if (s.isDefault()) {
            return;
        }
        boolean defaultYarnBetas = s.betaFast() == RopeScaling.NONE.betaFast() && s.betaSlow() == RopeScaling.NONE.betaSlow();
        if (!s.type().equals("linear") && !(s.type().equals("yarn") && defaultYarnBetas)) {
            throw new IllegalArgumentException("GGUF export supports linear and default-beta yarn RoPE scaling, not "
                    + s.type());
        }
        w.putString(arch + ".rope.scaling.type", s.type()).putF32(arch + ".rope.scaling.factor", (float) s.factor());
        if (s.originalMaxPositionEmbeddings() > 0) {
            w.putU32(arch + ".rope.scaling.original_context_length", s.originalMaxPositionEmbeddings());
        }
    }

    /**
     * llama.cpp sizes the embedding by the token list, so a vocabulary shorter than the model's (Qwen pads its
     * embedding beyond the tokenizer) is padded with unused placeholder tokens.
     */
    private static void tokenizer(GgufWriter w, GgufVocabulary vocab, ModelConfig c) {
        if (vocab.tokens().size() > c.vocabSize()) {
            throw new IllegalArgumentException(vocab.tokens().size() + " tokens exceed the model's vocab_size " + c.vocabSize());
        }
        List<String> tokens = new ArrayList<>(vocab.tokens());
        int[] types = Arrays.copyOf(vocab.tokenTypes(), c.vocabSize());
        for (int i = tokens.size(); i < c.vocabSize(); i++) {
            tokens.add("[PAD" + i + "]");
            types[i] = GgufVocabulary.UNUSED;
        }
        String pre = vocab.pre().isEmpty() ? (c.isQwen2() ? "qwen2" : "llama-bpe") : vocab.pre();
        w.putString(GgufVocabulary.PREFIX + "model", vocab.model())
                .putString(GgufVocabulary.PREFIX + "pre", pre)
                .putStrings(GgufVocabulary.PREFIX + "tokens", tokens)
                .putInts(GgufVocabulary.PREFIX + "token_type", types)
                .putStrings(GgufVocabulary.PREFIX + "merges", vocab.merges());
        putId(w, "bos_token_id", vocab.bosTokenId());
        putId(w, "eos_token_id", vocab.eosTokenId());
        putId(w, "padding_token_id", vocab.paddingTokenId());
    }

    private static void putId(GgufWriter w, String key, int id) {
        if (id >= 0) {
            w.putU32(GgufVocabulary.PREFIX + key, id);
        }
    }

    private static float[] ropeOrder(ModelConfig c, HostTensor t) {
        if (c.isQwen2()) {
            return t.values();
        }
        int cols = t.shape().length == 1 ? 1 : (int) t.shape()[1];
        if (t.name().contains(".self_attn.q_proj.")) {
            return RopePermutation.toInterleaved(t.values(), c.numHeads(), cols);
        }
        if (t.name().contains(".self_attn.k_proj.")) {
            return RopePermutation.toInterleaved(t.values(), c.numKvHeads(), cols);
        }
        return t.values();
    }
}
