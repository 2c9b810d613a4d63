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
            out.add(matrix(p + "mlp.gate_proj.weight", f, h, seed, std));
            out.add(matrix(p + "mlp.up_proj.weight", f, h, seed, std));
            out.add(matrix(p + "mlp.down_proj.weight", h, f, seed, std));
        }
        out.add(norm("model.norm.weight", h, seed));
        if (!c.tieWordEmbeddings()) {
            out.add(matrix("lm_head.weight", c.vocabSize(), h, seed, std));
        }
        return out;
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
