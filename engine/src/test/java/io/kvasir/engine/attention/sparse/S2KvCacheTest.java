package io.kvasir.engine.attention.sparse;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.kv.HeadBlockStorage;
import io.kvasir.engine.model.HostTensor;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.RopeScaling;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.model.format.SafetensorsWriter;
import io.kvasir.engine.runtime.EngineOptions;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.LoadedModel;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.engine.sampling.SamplingParams;
import io.kvasir.engine.tensor.DType;
import io.kvasir.engine.testing.ReferenceForward;
import io.kvasir.engine.testing.TinyModels;
import io.kvasir.engine.tokenizer.TokenizerGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * S2 head sharding in the engine's real KV cache: a qwen2 model whose config.json carries Phi-3-small's block-sparse
 * keys (local 2 blocks, vertical stride 4, every 2nd layer dense from layer 0; 4 query heads on 2 KV heads, so each
 * KV head's two query heads read 2 of every 4 blocks beyond the window). After a chunked prefill and one decode step
 * the sharded layer holds, per KV head, only the blocks its query heads still read — counted from DKernel's mask
 * written out here — while the dense layer holds every block; and the logits equal the float64 reference forward
 * masked to the S2 pattern (1e-4 in log-probability), so nothing released was needed.
 */
class S2KvCacheTest {

    private static final int LOCAL = 2, STRIDE = 4, HEADS = 4, KV_HEADS = 2, CHUNK = 100;

    @TempDir
    Path dir;

    private final ModelConfig config = new ModelConfig(ModelConfig.QWEN2, 64, 128, 2, HEADS, KV_HEADS, 16,
            TinyModels.VOCAB_SIZE, 1e-6, 1_000_000.0, RopeScaling.NONE, 4096, true, true, 0, 2, -1,
            List.of(TinyModels.END_OF_TEXT));
    private final List<HostTensor> weights = TinyModels.weights(config, 33);

    /** DKernel: head h reads block kb beyond its window when (kb + 1 + h · max(1, stride / heads)) mod stride = 0. */
    private static boolean vertical(int kb, int head) {
        return (kb + 1 + head * Math.max(1, STRIDE / HEADS)) % STRIDE == 0;
    }

    @Test
    void shardedLayerHoldsOnlyTheBlocksItsHeadsStillRead() throws Exception {
        int prompt = 1500;
        try (InferenceEngine engine = new InferenceEngine(LoadedModel.load(write(), WeightOptions.AS_STORED),
                EngineOptions.DEFAULTS.withPrefillChunk(CHUNK))) {
            assertInstanceOf(HeadBlockStorage.class, engine.cache().layer(1));
            Sequence s = engine.start(SparseEngineTest.tokens(prompt, 8),
                    SamplingParams.builder().temperature(0).maxTokens(4).ignoreEos(true).build());
            engine.prefill(s);
            engine.decode(List.of(s));                       // the step at position `prompt` plans, and releases
            int blocks = (prompt + 1 + 63) / 64;
            int windowFrom = prompt / 64 - LOCAL + 1;
            int expected = 0;
            for (int g = 0; g < KV_HEADS; g++) {
                for (int kb = 0; kb < blocks; kb++) {
                    boolean read = kb >= windowFrom;
                    for (int h = g * HEADS / KV_HEADS; h < (g + 1) * HEADS / KV_HEADS; h++) {
                        read |= vertical(kb, h);
                    }
                    expected += read ? 1 : 0;
                }
            }
            assertEquals(blocks * KV_HEADS, engine.cache().heldHeadBlocks(0), "the dense layer keeps every block");
            assertEquals(expected, engine.cache().heldHeadBlocks(1), "head-blocks the sharded layer holds");
            // The pattern's share: each KV head keeps 2 of every 4 blocks below the window, all of the window.
            double share = (double) engine.cache().heldHeadBlocks(1) / engine.cache().heldHeadBlocks(0);
            double pattern = ((double) windowFrom * 2 / STRIDE + (blocks - windowFrom)) / blocks;
            assertEquals(pattern, share, 1.0 / blocks, "kept share");
        }
    }

    @Test
    void outputEqualsAttentionMaskedToTheS2Pattern() throws Exception {
        int[] tokens = SparseEngineTest.tokens(700, 9);
        double[][] expected = new ReferenceForward(config, weights).logSoftmax(tokens, (layer, head, query, key) -> {
            if (layer % 2 == 0) {
                return true;
            }
            int chunkStart = query / CHUNK * CHUNK;
            int blockStart = chunkStart + (query - chunkStart) / 64 * 64;   // the 64-row query block's first row
            return key / 64 >= blockStart / 64 - LOCAL + 1 || vertical(key / 64, head);
        });
        double[][] dense = new ReferenceForward(config, weights).logSoftmax(tokens);
        try (InferenceEngine engine = new InferenceEngine(LoadedModel.load(write(), WeightOptions.AS_STORED),
                EngineOptions.DEFAULTS.withPrefillChunk(CHUNK))) {
            float[][] scored = engine.score(tokens);
            double fromDense = 0;
            for (int i = 0; i < tokens.length; i++) {
                float[] lp = SparseEngineTest.logSoftmax(scored[i]);
                for (int id = 0; id < lp.length; id++) {
                    assertEquals(expected[i][id], lp[id], 1e-4, "position " + i + " token " + id);
                    fromDense = Math.max(fromDense, Math.abs(dense[i][id] - lp[id]));
                }
            }
            assertTrue(fromDense > 1e-2, "S2 logits equal dense ones (" + fromDense + "): the pattern was not used");
            assertEquals(0, engine.cache().heldHeadBlocks(1), "every block returned with the scored sequence");
        }
    }

    private Path write() throws Exception {
        Path model = Files.createTempDirectory(dir, "model");
        ObjectMapper json = new ObjectMapper();
        ObjectNode c = (ObjectNode) json.readTree(config.toJson());
        c.put("blocksparse_block_size", 64);
        c.put("blocksparse_num_local_blocks", LOCAL);
        c.put("blocksparse_vert_stride", STRIDE);
        c.put("dense_attention_every_n_layers", 2);
        Files.writeString(model.resolve("config.json"), json.writeValueAsString(c));
        SafetensorsWriter.write(model.resolve("model.safetensors"), weights, DType.F32, Map.of());
        TokenizerGenerator.write(model, config.vocabSize());
        return model;
    }
}
