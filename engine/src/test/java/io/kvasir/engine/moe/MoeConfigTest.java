package io.kvasir.engine.moe;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvasir.engine.model.DemoShape;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.MoeConfig;
import io.kvasir.engine.model.PreGatingRouterConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The MoE keys of config.json: Hugging Face's for Qwen2-MoE and Mixtral, ours for the Read-ME router. */
class MoeConfigTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Qwen1.5-MoE-A2.7B's config.json keys (sizes shrunk; the keys and their meaning are what is tested). */
    @Test
    void readsQwen2MoeKeys() throws Exception {
        ModelConfig c = ModelConfig.fromJson(JSON.readTree("""
                {"architectures": ["Qwen2MoeForCausalLM"], "model_type": "qwen2_moe", "hidden_size": 64,
                 "intermediate_size": 160, "num_hidden_layers": 6, "num_attention_heads": 4, "num_key_value_heads": 4,
                 "vocab_size": 1000, "num_experts": 60, "num_experts_per_tok": 4, "moe_intermediate_size": 32,
                 "shared_expert_intermediate_size": 128, "norm_topk_prob": false, "decoder_sparse_step": 2,
                 "mlp_only_layers": [3], "use_sliding_window": false, "max_window_layers": 6}"""));
        MoeConfig m = c.moe();
        assertEquals(new MoeConfig(60, 4, 32, false, 128, 2, List.of(3), null), m);
        assertTrue(c.attentionBias(), "Qwen2-MoE keeps Qwen2's q/k/v biases");
        assertFalse(m.isMoeLayer(0));
        assertTrue(m.isMoeLayer(1));
        assertFalse(m.isMoeLayer(3), "mlp_only_layers stay dense");
        assertTrue(m.isMoeLayer(5));
    }

    @Test
    void readsMixtralKeys() throws Exception {
        ModelConfig c = ModelConfig.fromJson(JSON.readTree("""
                {"architectures": ["MixtralForCausalLM"], "hidden_size": 64, "intermediate_size": 224,
                 "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 1000,
                 "num_local_experts": 8, "num_experts_per_tok": 2, "sliding_window": null}"""));
        assertEquals(new MoeConfig(8, 2, 224, true, 0, 1, List.of(), null), c.moe());
        assertFalse(c.attentionBias());
        assertEquals(0, c.slidingWindowOf(1));
    }

    @Test
    void readsTheReadMeRouter() throws Exception {
        ModelConfig c = ModelConfig.fromJson(JSON.readTree("""
                {"architectures": ["ReadMeForCausalLM"], "hidden_size": 64, "intermediate_size": 128,
                 "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 1000, "num_experts": 8,
                 "moe_intermediate_size": 96,
                 "readme_router": {"num_layers": 1, "hidden_size": 32, "intermediate_size": 64,
                                   "num_attention_heads": 2}}"""));
        assertEquals(new PreGatingRouterConfig(1, 32, 64, 2, 2, 10000.0, 1e-6), c.moe().router());
        assertEquals(1, c.moe().expertsPerToken());
        assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromJson(JSON.readTree("""
                {"architectures": ["ReadMeForCausalLM"], "hidden_size": 64, "intermediate_size": 128,
                 "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 1000, "num_experts": 8,
                 "moe_intermediate_size": 96}""")), "a Read-ME config without its router");
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-moe-small", "mixtral-small", "readme-small"})
    void demoShapesRoundTripThroughConfigJson(String shape) throws Exception {
        ModelConfig c = DemoShape.parse(shape).config(32000, 1, List.of(2));
        assertEquals(c, ModelConfig.fromJson(JSON.readTree(c.toJson())));
    }
}
