package io.kvasir.engine.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelConfigTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void readsQwen2WithSlidingWindowOnUpperLayers() throws Exception {
        ModelConfig c = ModelConfig.fromJson(JSON.readTree("""
                {"architectures":["Qwen2ForCausalLM"],"hidden_size":896,"intermediate_size":4864,
                 "num_hidden_layers":24,"num_attention_heads":14,"num_key_value_heads":2,"vocab_size":151936,
                 "rms_norm_eps":1e-6,"rope_theta":1000000.0,"max_position_embeddings":32768,
                 "tie_word_embeddings":true,"use_sliding_window":true,"sliding_window":4096,"max_window_layers":21,
                 "eos_token_id":151645}"""));
        assertEquals(64, c.headDim());
        assertTrue(c.attentionBias(), "Qwen2 has q/k/v biases");
        assertEquals(0, c.slidingWindowOf(20));
        assertEquals(4096, c.slidingWindowOf(21));
        assertEquals(List.of(151645), c.eosTokenIds());
    }

    @Test
    void qwen2IgnoresSlidingWindowUnlessEnabled() throws Exception {
        ModelConfig c = ModelConfig.fromJson(JSON.readTree("""
                {"architectures":["Qwen2ForCausalLM"],"hidden_size":64,"intermediate_size":128,"num_hidden_layers":2,
                 "num_attention_heads":4,"vocab_size":300,"use_sliding_window":false,"sliding_window":32}"""));
        assertEquals(0, c.slidingWindowOf(1));
    }

    @Test
    void readsLlama3RopeScalingAndEosList() throws Exception {
        ModelConfig c = ModelConfig.fromJson(JSON.readTree("""
                {"architectures":["LlamaForCausalLM"],"hidden_size":2048,"intermediate_size":8192,"num_hidden_layers":16,
                 "num_attention_heads":32,"num_key_value_heads":8,"vocab_size":128256,"rope_theta":500000.0,
                 "rope_scaling":{"factor":32.0,"high_freq_factor":4.0,"low_freq_factor":1.0,
                   "original_max_position_embeddings":8192,"rope_type":"llama3"},
                 "eos_token_id":[128001,128008,128009]}"""));
        assertFalse(c.attentionBias());
        assertEquals("llama3", c.ropeScaling().type());
        assertEquals(32.0, c.ropeScaling().factor());
        assertEquals(8192, c.ropeScaling().originalMaxPositionEmbeddings());
        assertEquals(List.of(128001, 128008, 128009), c.eosTokenIds());
    }

    @Test
    void roundTripsThroughJson() throws Exception {
        ModelConfig c = new ModelConfig(ModelConfig.QWEN2, 128, 256, 3, 8, 2, 16, 1000, 1e-6, 1e6,
                new RopeScaling("yarn", 4, 32768, 32, 1, 1, 4), 131072, true, true, 0, 3, 7, List.of(8, 9));
        assertEquals(c, ModelConfig.fromJson(JSON.readTree(c.toJson())));
    }

    @Test
    void badConfigsNameTheFileAndTheProblem() throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"architectures\":[\"GPT2LMHeadModel\"]}");
        IOException e = assertThrows(IOException.class, () -> ModelConfig.read(file));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("GPT2LMHeadModel"), e.getMessage());

        Files.writeString(file, "{\"architectures\":[\"LlamaForCausalLM\"],\"hidden_size\":64}");
        e = assertThrows(IOException.class, () -> ModelConfig.read(file));
        assertTrue(e.getMessage().contains("num_attention_heads"), e.getMessage());

        Files.writeString(file, "{\"architectures\":");
        e = assertThrows(IOException.class, () -> ModelConfig.read(file));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }
}
