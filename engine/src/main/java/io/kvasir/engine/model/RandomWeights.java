package io.kvasir.engine.model;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random weights in the Hugging Face Qwen2/Llama layout, for demo models and tests: matrices and biases drawn from
 * N(0, std²) with a fixed seed, norm weights near 1. Each tensor has its own seed-derived stream, so a tensor's
 * values do not depend on which other tensors exist.
 */
public final class RandomWeights {

    private RandomWeights() {
    }

    public static List<HostTensor> generate(ModelConfig c, long seed, double std) {
        int h = c.hiddenSize(), qDim = c.numHeads() * c.headDim(), kvDim = c.numKvHeads() * c.headDim();
        int f = c.intermediateSize();
        List<HostTensor> out = new ArrayList<>();
        out.add(matrix("model.embed_tokens.weight", c.vocabSize(), h, seed, std));
        for (int l = 0; l < c.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            out.add(norm(p + "input_layernorm.weight", h, seed));
            out.add(matrix(p + "self_attn.q_proj.weight", qDim, h, seed, std));
            out.add(matrix(p + "self_attn.k_proj.weight", kvDim, h, seed, std));
            out.add(matrix(p + "self_attn.v_proj.weight", kvDim, h, seed, std));
            if (c.attentionBias()) {
                out.add(vector(p + "self_attn.q_proj.bias", qDim, seed, std));
                out.add(vector(p + "self_attn.k_proj.bias", kvDim, seed, std));
                out.add(vector(p + "self_attn.v_proj.bias", kvDim, seed, std));
            }
            out.add(matrix(p + "self_attn.o_proj.weight", h, qDim, seed, std));
            out.add(norm(p + "post_attention_layernorm.weight", h, seed));
            if (c.moe() != null && c.moe().isMoeLayer(l)) {
                out.addAll(experts(c, l, seed, std));
            } else {
                out.addAll(mlp(p + "mlp.", "gate_proj", "up_proj", "down_proj", f, h, seed, std));
            }
        }
        if (c.moe() != null && c.moe().isPreGated()) {
            out.addAll(router(c, seed, std));
        }
        out.add(norm("model.norm.weight", h, seed));
        if (!c.tieWordEmbeddings()) {
            out.add(matrix("lm_head.weight", c.vocabSize(), h, seed, std));
        }
        return out;
    }

    /** The expert tensors of MoE layer {@code l} in the architecture's naming (see {@code io.kvasir.engine.moe}). */
    private static List<HostTensor> experts(ModelConfig c, int l, long seed, double std) {
        MoeConfig m = c.moe();
        int h = c.hiddenSize(), f = m.expertIntermediateSize();
        String p = "model.layers." + l + ".";
        boolean mixtral = ModelConfig.MIXTRAL.equals(c.architecture());
        List<HostTensor> out = new ArrayList<>();
        if (!m.isPreGated()) {
            out.add(matrix(p + (mixtral ? "block_sparse_moe.gate.weight" : "mlp.gate.weight"), m.numExperts(), h, seed, std));
        }
        for (int e = 0; e < m.numExperts(); e++) {
            out.addAll(mixtral
                    ? mlp(p + "block_sparse_moe.experts." + e + ".", "w1", "w3", "w2", f, h, seed, std)
                    : mlp(p + "mlp.experts." + e + ".", "gate_proj", "up_proj", "down_proj", f, h, seed, std));
        }
        int s = m.sharedExpertIntermediateSize();
        if (s > 0) {
            out.addAll(mlp(p + "mlp.shared_expert.", "gate_proj", "up_proj", "down_proj", s, h, seed, std));
            out.add(matrix(p + "mlp.shared_expert_gate.weight", 1, h, seed, std));
        }
        return out;
    }

    /** The Read-ME pre-gating router: a Llama decoder under {@code router.}, its head scoring the experts. */
    private static List<HostTensor> router(ModelConfig c, long seed, double std) {
        PreGatingRouterConfig r = c.moe().router();
        int h = r.hiddenSize(), f = r.intermediateSize(), hd = h / r.numHeads();
        int qDim = r.numHeads() * hd, kvDim = r.numKvHeads() * hd;
        List<HostTensor> out = new ArrayList<>();
        out.add(matrix("router.embed_tokens.weight", c.vocabSize(), h, seed, 1.0));
        for (int l = 0; l < r.numLayers(); l++) {
            String p = "router.layers." + l + ".";
            out.add(norm(p + "input_layernorm.weight", h, seed));
            out.add(matrix(p + "self_attn.q_proj.weight", qDim, h, seed, 1 / Math.sqrt(h)));
            out.add(matrix(p + "self_attn.k_proj.weight", kvDim, h, seed, 1 / Math.sqrt(h)));
            out.add(matrix(p + "self_attn.v_proj.weight", kvDim, h, seed, 1 / Math.sqrt(h)));
            out.add(matrix(p + "self_attn.o_proj.weight", h, qDim, seed, 1 / Math.sqrt(qDim)));
            out.add(norm(p + "post_attention_layernorm.weight", h, seed));
            out.addAll(mlp(p + "mlp.", "gate_proj", "up_proj", "down_proj", f, h, seed, 1 / Math.sqrt(h)));
        }
        out.add(norm("router.norm.weight", h, seed));
        // Unit-scale head: a router of std-0.02 weights would send nearly every token to the same expert.
        out.add(matrix("router.lm_head.weight", c.moe().numExperts(), h, seed, 1.0));
        return out;
    }

    private static List<HostTensor> mlp(String p, String gate, String up, String down, int f, int h, long seed, double std) {
        return List.of(matrix(p + gate + ".weight", f, h, seed, std), matrix(p + up + ".weight", f, h, seed, std),
                matrix(p + down + ".weight", h, f, seed, std));
    }

    private static SplittableRandom stream(String name, long seed) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ name.hashCode());
    }

    private static HostTensor matrix(String name, int rows, int cols, long seed, double std) {
        return new HostTensor(name, new long[]{rows, cols}, gaussian(name, (long) rows * cols, seed, std));
    }

    private static HostTensor vector(String name, int n, long seed, double std) {
        return new HostTensor(name, new long[]{n}, gaussian(name, n, seed, std));
    }

    private static HostTensor norm(String name, int n, long seed) {
        SplittableRandom r = stream(name, seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (1.0 + 0.1 * (r.nextDouble() - 0.5));
        }
        return new HostTensor(name, new long[]{n}, v);
    }

    private static float[] gaussian(String name, long n, long seed, double std) {
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(name + ": " + n + " values do not fit one array");
        }
        SplittableRandom r = stream(name, seed);
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            // Box–Muller on SplittableRandom: faster than Random.nextGaussian and reproducible across JDKs.
            double u1 = 1.0 - r.nextDouble(), u2 = r.nextDouble();
            v[i] = (float) (std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
        }
        return v;
    }
}
