package io.kvasir.engine.testing;

import io.kvasir.engine.model.HostTensor;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.RopeScaling;
import io.kvasir.engine.model.format.GgufVocabulary;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Small random models with a tiny byte-level BPE vocabulary, for format and cross-check tests. */
public final class TinyModels {

    /** 256 byte tokens, one merge per pair of {@link #MERGE_LETTERS}, then {@code <|endoftext|>}. */
    private static final String MERGE_LETTERS = "etaoinshr";
    public static final int VOCAB_SIZE = 256 + MERGE_LETTERS.length() * MERGE_LETTERS.length() + 1;
    public static final int END_OF_TEXT = VOCAB_SIZE - 1;

    private TinyModels() {
    }

    /** Qwen2: 2 layers, hidden 64, 4 query / 2 KV heads of 16, FFN 128, q/k/v biases, tied embeddings. */
    public static ModelConfig qwen2() {
        return new ModelConfig(ModelConfig.QWEN2, 64, 128, 2, 4, 2, 16, VOCAB_SIZE, 1e-6, 1_000_000.0,
                RopeScaling.NONE, 256, true, true, 0, 2, -1, List.of(END_OF_TEXT));
    }

    /** Llama: 2 layers, hidden 64, 4 query / 2 KV heads of 16, FFN 128, no biases, separate lm_head. */
    public static ModelConfig llama() {
        return new ModelConfig(ModelConfig.LLAMA, 64, 128, 2, 4, 2, 16, VOCAB_SIZE, 1e-5, 10000.0,
                RopeScaling.NONE, 256, false, false, 0, 0, -1, List.of(END_OF_TEXT));
    }

    /**
     * Random weights in Hugging Face layout. Scales keep activations of order one and make attention and the
     * output distribution far from uniform, so a wrong RoPE, head mapping or norm shows up clearly.
     */
    public static List<HostTensor> weights(ModelConfig c, long seed) {
        Random rnd = new Random(seed);
        int H = c.hiddenSize(), F = c.intermediateSize(), d = c.headDim();
        int q = c.numHeads() * d, kv = c.numKvHeads() * d;
        List<HostTensor> t = new ArrayList<>();
        t.add(matrix("model.embed_tokens.weight", c.vocabSize(), H, 1.0, rnd));
        for (int l = 0; l < c.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            t.add(norm(p + "input_layernorm.weight", H, rnd));
            t.add(matrix(p + "self_attn.q_proj.weight", q, H, 2.0 / Math.sqrt(H), rnd));
            t.add(matrix(p + "self_attn.k_proj.weight", kv, H, 2.0 / Math.sqrt(H), rnd));
            t.add(matrix(p + "self_attn.v_proj.weight", kv, H, 1.0 / Math.sqrt(H), rnd));
            if (c.attentionBias()) {
                t.add(vector(p + "self_attn.q_proj.bias", q, 0.5, rnd));
                t.add(vector(p + "self_attn.k_proj.bias", kv, 0.5, rnd));
                t.add(vector(p + "self_attn.v_proj.bias", kv, 0.5, rnd));
            }
            t.add(matrix(p + "self_attn.o_proj.weight", H, q, 1.0 / Math.sqrt(q), rnd));
            t.add(norm(p + "post_attention_layernorm.weight", H, rnd));
            t.add(matrix(p + "mlp.gate_proj.weight", F, H, 1.0 / Math.sqrt(H), rnd));
            t.add(matrix(p + "mlp.up_proj.weight", F, H, 1.0 / Math.sqrt(H), rnd));
            t.add(matrix(p + "mlp.down_proj.weight", H, F, 1.0 / Math.sqrt(F), rnd));
        }
        t.add(norm("model.norm.weight", H, rnd));
        if (!c.tieWordEmbeddings()) {
            t.add(matrix("lm_head.weight", c.vocabSize(), H, 2.0 / Math.sqrt(H), rnd));
        }
        return t;
    }

    /** A GPT-2-style byte-level BPE vocabulary of {@link #VOCAB_SIZE} tokens, {@code pre} as given. */
    public static GgufVocabulary vocabulary(String pre) {
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(byteToUnicode(b)));
        }
        List<String> merges = new ArrayList<>();
        for (char a : MERGE_LETTERS.toCharArray()) {
            for (char b : MERGE_LETTERS.toCharArray()) {
                merges.add(a + " " + b);
                tokens.add("" + a + b);
            }
        }
        tokens.add("<|endoftext|>");
        int[] types = new int[tokens.size()];
        Arrays.fill(types, GgufVocabulary.NORMAL);
        types[END_OF_TEXT] = GgufVocabulary.CONTROL;
        return new GgufVocabulary("gpt2", pre, tokens, types, merges, -1, END_OF_TEXT, END_OF_TEXT);
    }

    /**
     * GPT-2's reversible byte-to-character map: printable Latin-1 bytes stand for themselves, the others
     * (controls, space, …) are moved to U+0100 and up in byte order, so space becomes 'Ġ' and newline 'Ċ'.
     */
    static char byteToUnicode(int b) {
        if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) {
            return (char) b;
        }
        int shifted = 0;
        for (int x = 0; x < b; x++) {
            if (!((x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF))) {
                shifted++;
            }
        }
        return (char) (256 + shifted);
    }

    private static HostTensor matrix(String name, int rows, int cols, double scale, Random rnd) {
        return new HostTensor(name, new long[]{rows, cols}, gaussian(rows * cols, 0, scale, rnd));
    }

    private static HostTensor vector(String name, int n, double scale, Random rnd) {
        return new HostTensor(name, new long[]{n}, gaussian(n, 0, scale, rnd));
    }

    private static HostTensor norm(String name, int n, Random rnd) {
        return new HostTensor(name, new long[]{n}, gaussian(n, 1, 0.2, rnd));
    }

    private static float[] gaussian(int n, double mean, double scale, Random rnd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (mean + scale * rnd.nextGaussian());
        }
        return v;
    }
}
