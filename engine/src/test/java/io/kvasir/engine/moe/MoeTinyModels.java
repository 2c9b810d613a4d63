package io.kvasir.engine.moe;

import io.kvasir.engine.model.HostTensor;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.MoeConfig;
import io.kvasir.engine.model.PreGatingRouterConfig;
import io.kvasir.engine.model.RopeScaling;
import io.kvasir.engine.model.format.SafetensorsWriter;
import io.kvasir.engine.tensor.DType;
import io.kvasir.engine.testing.TinyModels;
import io.kvasir.engine.tokenizer.TokenizerGenerator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Tiny mixture-of-experts models over {@link TinyModels}' vocabulary: attention and dense layers as in TinyModels,
 * experts and routers at scales that make routing decisive (well-separated router logits), so a wrong expert choice
 * or weight shows up as a large log-probability error.
 */
public final class MoeTinyModels {

    private MoeTinyModels() {
    }

    /** Qwen2-MoE: 3 layers (layer 1 dense), 4 experts of 32, top 2 not renormalized, shared expert of 48. */
    public static ModelConfig qwen2Moe() {
        return new ModelConfig(ModelConfig.QWEN2_MOE, 64, 128, 3, 4, 2, 16, TinyModels.VOCAB_SIZE, 1e-6, 1_000_000.0,
                RopeScaling.NONE, 256, true, true, 0, 3, -1, List.of(TinyModels.END_OF_TEXT),
                new MoeConfig(4, 2, 32, false, 48, 1, List.of(1), null));
    }

    /** Mixtral: 2 layers, 4 experts of 64, top 2 renormalized. */
    public static ModelConfig mixtral() {
        return new ModelConfig(ModelConfig.MIXTRAL, 64, 64, 2, 4, 2, 16, TinyModels.VOCAB_SIZE, 1e-5, 10000.0,
                RopeScaling.NONE, 256, false, false, 0, 0, -1, List.of(TinyModels.END_OF_TEXT),
                new MoeConfig(4, 2, 64, true, 0, 1, List.of(), null));
    }

    /** Read-ME: 3 layers, 6 experts of 32, a 2-layer router of hidden 32 (2 heads of 16). */
    public static ModelConfig readMe() {
        return new ModelConfig(ModelConfig.READ_ME, 64, 128, 3, 4, 2, 16, TinyModels.VOCAB_SIZE, 1e-6, 10000.0,
                RopeScaling.NONE, 256, false, false, 0, 0, -1, List.of(TinyModels.END_OF_TEXT),
                new MoeConfig(6, 1, 32, false, 0, 1, List.of(), new PreGatingRouterConfig(2, 32, 48, 2, 2, 10000.0, 1e-6)));
    }

    /** A model folder in {@code dir}: config.json, F32 safetensors and a generated tokenizer. */
    public static Path write(Path dir, ModelConfig config, List<HostTensor> weights) throws IOException {
        Path model = Files.createTempDirectory(dir, "model");
        Files.writeString(model.resolve("config.json"), config.toJson());
        SafetensorsWriter.write(model.resolve("model.safetensors"), weights, DType.F32, Map.of());
        TokenizerGenerator.write(model, config.vocabSize());
        return model;
    }

    public static List<HostTensor> weights(ModelConfig c, long seed) {
        MoeConfig m = c.moe();
        List<HostTensor> t = new ArrayList<>();
        for (HostTensor dense : TinyModels.weights(c, seed)) {
            if (!isMoeLayerMlp(c, dense.name())) {
                t.add(dense);
            }
        }
        Random rnd = new Random(seed + 1);
        int H = c.hiddenSize(), F = m.expertIntermediateSize();
        boolean mixtral = ModelConfig.MIXTRAL.equals(c.architecture());
        for (int l = 0; l < c.numLayers(); l++) {
            if (!m.isMoeLayer(l)) {
                continue;
            }
            String p = "model.layers." + l + ".";
            if (!m.isPreGated()) {
                t.add(matrix(p + (mixtral ? "block_sparse_moe.gate.weight" : "mlp.gate.weight"), m.numExperts(), H, 3.0 / Math.sqrt(H), rnd));
            }
            for (int e = 0; e < m.numExperts(); e++) {
                String ep = p + (mixtral ? "block_sparse_moe.experts." : "mlp.experts.") + e + ".";
                t.add(matrix(ep + (mixtral ? "w1" : "gate_proj") + ".weight", F, H, 1.0 / Math.sqrt(H), rnd));
                t.add(matrix(ep + (mixtral ? "w3" : "up_proj") + ".weight", F, H, 1.0 / Math.sqrt(H), rnd));
                t.add(matrix(ep + (mixtral ? "w2" : "down_proj") + ".weight", H, F, 2.0 / Math.sqrt(F), rnd));
            }
            int S = m.sharedExpertIntermediateSize();
            if (S > 0) {
                t.add(matrix(p + "mlp.shared_expert.gate_proj.weight", S, H, 1.0 / Math.sqrt(H), rnd));
                t.add(matrix(p + "mlp.shared_expert.up_proj.weight", S, H, 1.0 / Math.sqrt(H), rnd));
                t.add(matrix(p + "mlp.shared_expert.down_proj.weight", H, S, 1.0 / Math.sqrt(S), rnd));
                t.add(matrix(p + "mlp.shared_expert_gate.weight", 1, H, 1.0 / Math.sqrt(H), rnd));
            }
        }
        if (m.isPreGated()) {
            t.addAll(router(c, rnd));
        }
        return t;
    }

    private static List<HostTensor> router(ModelConfig c, Random rnd) {
        PreGatingRouterConfig r = c.moe().router();
        int H = r.hiddenSize(), F = r.intermediateSize(), d = H / r.numHeads();
        int q = r.numHeads() * d, kv = r.numKvHeads() * d;
        List<HostTensor> t = new ArrayList<>();
        t.add(matrix("router.embed_tokens.weight", c.vocabSize(), H, 1.0, rnd));
        for (int l = 0; l < r.numLayers(); l++) {
            String p = "router.layers." + l + ".";
            t.add(norm(p + "input_layernorm.weight", H, rnd));
            t.add(matrix(p + "self_attn.q_proj.weight", q, H, 2.0 / Math.sqrt(H), rnd));
            t.add(matrix(p + "self_attn.k_proj.weight", kv, H, 2.0 / Math.sqrt(H), rnd));
            t.add(matrix(p + "self_attn.v_proj.weight", kv, H, 1.0 / Math.sqrt(H), rnd));
            t.add(matrix(p + "self_attn.o_proj.weight", H, q, 1.0 / Math.sqrt(q), rnd));
            t.add(norm(p + "post_attention_layernorm.weight", H, rnd));
            t.add(matrix(p + "mlp.gate_proj.weight", F, H, 1.0 / Math.sqrt(H), rnd));
            t.add(matrix(p + "mlp.up_proj.weight", F, H, 1.0 / Math.sqrt(H), rnd));
            t.add(matrix(p + "mlp.down_proj.weight", H, F, 1.0 / Math.sqrt(F), rnd));
        }
        t.add(norm("router.norm.weight", H, rnd));
        t.add(matrix("router.lm_head.weight", c.moe().numExperts(), H, 3.0 / Math.sqrt(H), rnd));
        return t;
    }

    private static boolean isMoeLayerMlp(ModelConfig c, String name) {
        for (int l = 0; l < c.numLayers(); l++) {
            if (c.moe().isMoeLayer(l) && name.startsWith("model.layers." + l + ".mlp.")) {
                return true;
            }
        }
        return false;
    }

    private static HostTensor matrix(String name, int rows, int cols, double scale, Random rnd) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (scale * rnd.nextGaussian());
        }
        return new HostTensor(name, new long[]{rows, cols}, v);
    }

    private static HostTensor norm(String name, int n, Random rnd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (1 + 0.2 * rnd.nextGaussian());
        }
        return new HostTensor(name, new long[]{n}, v);
    }
}
