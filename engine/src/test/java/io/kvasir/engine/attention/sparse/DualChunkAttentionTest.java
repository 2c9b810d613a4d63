package io.kvasir.engine.attention.sparse;

import io.kvasir.engine.model.DemoShape;
import io.kvasir.engine.model.DualChunkAttentionConfig;
import io.kvasir.engine.model.HostTensor;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.RandomWeights;
import io.kvasir.engine.model.RopeScaling;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.model.format.SafetensorsWriter;
import io.kvasir.engine.runtime.EngineOptions;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.LoadedModel;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Qwen2.5-1M dual-chunk attention: the positions and temperature of the spec, and a qwen2 model whose config.json has
 * {@code dual_chunk_attention_config} (chunk 64, local 16, so L = 48) prefilling a 300-token prompt — over 4× its
 * chunk size — in 100-token chunks, against the float64 reference forward pass implementing DCA from the same spec.
 * Tolerance 1e-4 in log-probability, as EngineVsReferenceTest, relaxed in proportion for log-probabilities below −10
 * (s² sharpens the scores, and F32 logits of magnitude ~35 round at ~1e-4); plain RoPE differs by far more.
 */
class DualChunkAttentionTest {

    private static final DualChunkAttentionConfig DCA = new DualChunkAttentionConfig(64, 16, 64, 32768);

    @TempDir
    Path dir;

    @Test
    void positionsAndTemperatureFollowTheSpec() {
        assertEquals(48, DCA.chunkLength());
        assertEquals(4, DCA.keyPosition(100));
        assertEquals(4, DCA.intraQueryPosition(100));
        assertEquals(52, DCA.successiveQueryPosition(100));
        assertEquals(64, DCA.successiveQueryPosition(40));                  // clamped to chunk_size
        assertEquals(64, DCA.interQueryPosition());                         // min(2L − 1 = 95, 64)
        assertEquals(1.0, DCA.temperature(50), 0);
        assertEquals(1.5, DCA.temperature((int) Math.round(64 * Math.exp(5))), 1e-4);
    }

    @Test
    void prefillMatchesTheFloat64Reference() throws Exception {
        ModelConfig config = dcaModel(DCA);
        List<HostTensor> weights = TinyModels.weights(config, 13);
        Path model = write(config, weights);
        int[] tokens = SparseEngineTest.tokens(300, 8);
        int chunk = 100;
        double[][] expected = new ReferenceForward(config, weights).logSoftmax(tokens,
                ReferenceForward.AttentionMask.CAUSAL, t -> Math.min(tokens.length, (t / chunk + 1) * chunk));
        double[][] plainRope = new ReferenceForward(config.withDualChunkAttention(null), weights).logSoftmax(tokens);
        try (InferenceEngine engine = new InferenceEngine(LoadedModel.load(model, WeightOptions.AS_STORED),
                EngineOptions.DEFAULTS.withPrefillChunk(chunk))) {
            assertEquals(DCA, engine.model().config().dualChunkAttention(), "config.json round trip");
            float[][] scored = engine.score(tokens);
            double fromPlain = 0;
            for (int i = 0; i < tokens.length; i++) {
                float[] lp = SparseEngineTest.logSoftmax(scored[i]);
                for (int id = 0; id < lp.length; id++) {
                    assertEquals(expected[i][id], lp[id], 1e-4 * Math.max(1, Math.abs(expected[i][id]) / 10),
                            "position " + i + " token " + id);
                    fromPlain = Math.max(fromPlain, Math.abs(plainRope[i][id] - lp[id]));
                }
            }
            assertTrue(fromPlain > 1e-2, "DCA logits equal plain RoPE's (" + fromPlain + ")");
        }
    }

    /**
     * The {@code small} demo shape (4 layers, hidden 256, 4/2 heads of 64, RoPE base 10⁶; the generated 32000-token
     * vocabulary the prefill bench uses instead of Qwen's, which changes only the output head) with a
     * {@code dual_chunk_attention_config} of chunk 1024 (local 32, Qwen2.5-1M's 1/32; original length 1024, so s > 1)
     * prefills a 4096-token prompt — 4× its chunk size, 4 L-chunks of 992 plus a tail, L not a multiple of 64 and
     * prefill chunks of 1000 aligned to neither — and its log-probabilities match the float64 DCA reference at 80
     * positions spread over the prompt and around every L-chunk edge. Chunk 1024 instead of 4096 keeps the float64
     * reference (float64, quadratic in the prompt) near a minute; nothing in the engine depends on the chunk size
     * beyond the positions checked here. {@code -Dkvasir.dca.chunk=4096} runs the 16384-token version (~16× longer).
     */
    @Test
    void smallDemoShapeMatchesTheFloat64ReferenceOverFourChunks() throws Exception {
        int chunkSize = Integer.getInteger("kvasir.dca.chunk", 1024), tokensCount = 4 * chunkSize, prefillChunk = 1000;
        DualChunkAttentionConfig dca = new DualChunkAttentionConfig(chunkSize, chunkSize / 32, chunkSize,
                DualChunkAttentionConfig.DEFAULT_SPARSE_THRESHOLD);
        int vocab = 32000, L = dca.chunkLength();
        assertEquals(chunkSize - chunkSize / 32, L);
        assertEquals(chunkSize, dca.successiveQueryPosition(L - 1));        // L − 1 + L clamped to the chunk size
        assertEquals(Math.min(2 * L - 1, chunkSize), dca.interQueryPosition());
        assertEquals(5, dca.keyPosition(4 * L + 5));
        ModelConfig config = DemoShape.SMALL.config(vocab, -1, List.of(vocab - 1)).withDualChunkAttention(dca);
        List<HostTensor> weights = RandomWeights.generate(config, 42, 0.02);
        int[] tokens = SparseEngineTest.tokens(tokensCount, 4).clone();
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = Math.floorMod(tokens[i] * 7919 + i, vocab);            // spread over the larger vocabulary
        }
        java.util.TreeSet<Integer> at = new java.util.TreeSet<>();
        for (int i = 0; i < 48; i++) {
            at.add((int) ((long) (i + 1) * tokensCount / 48) - 1);
        }
        for (int edge = L; edge < tokensCount; edge += L) {
            for (int p : new int[]{edge - 2, edge - 1, edge, edge + 1}) {
                at.add(p);
            }
        }
        int[] positions = at.stream().mapToInt(Integer::intValue).toArray();
        double[][] expected = new ReferenceForward(config, weights).logSoftmaxAt(tokens, ReferenceForward.AttentionMask.CAUSAL,
                t -> Math.min(tokensCount, (t / prefillChunk + 1) * prefillChunk), positions);
        float[][] scored, plain;
        try (InferenceEngine engine = new InferenceEngine(LoadedModel.load(write(config, weights), WeightOptions.AS_STORED),
                EngineOptions.DEFAULTS.withPrefillChunk(prefillChunk))) {
            assertEquals(dca, engine.model().config().dualChunkAttention(), "config.json round trip");
            scored = engine.score(tokens);
        }
        try (InferenceEngine engine = new InferenceEngine(LoadedModel.load(write(config.withDualChunkAttention(null), weights),
                WeightOptions.AS_STORED), EngineOptions.DEFAULTS.withPrefillChunk(prefillChunk))) {
            plain = engine.score(tokens);
        }
        double fromPlain = 0;
        for (int i = 0; i < positions.length; i++) {
            float[] lp = SparseEngineTest.logSoftmax(scored[positions[i]]), plainLp = SparseEngineTest.logSoftmax(plain[positions[i]]);
            for (int id = 0; id < lp.length; id++) {
                assertEquals(expected[i][id], lp[id], 1e-4 * Math.max(1, Math.abs(expected[i][id]) / 10),
                        "position " + positions[i] + " token " + id);
                fromPlain = Math.max(fromPlain, Math.abs(plainLp[id] - lp[id]));
            }
        }
        assertTrue(fromPlain > 1e-3, "DCA log-probabilities equal plain RoPE's (" + fromPlain + ")");
    }

    /**
     * Above the sparse threshold (0 here) a DCA model runs its per-head sparse config: A-shape heads (sink 8, local
     * 40), so the reference can apply the same mask; every region's keys are limited by it.
     */
    @Test
    void sparsePrefillAboveTheThresholdMatchesTheMaskedReference() throws Exception {
        ModelConfig config = dcaModel(new DualChunkAttentionConfig(64, 16, 64, 0));
        List<HostTensor> weights = TinyModels.weights(config, 17);
        Path model = write(config, weights);
        PatternSpec aShape = PatternSpec.aShape(8, 40);
        SparseAttentionConfig.uniform(aShape, config.numLayers(), config.numHeads()).write(model.resolve(SparseAttentionConfig.FILE_NAME));
        int[] tokens = SparseEngineTest.tokens(300, 2);
        int chunk = 128;
        double[][] expected = new ReferenceForward(config, weights).logSoftmax(tokens,
                (layer, head, query, key) -> key < aShape.vertical() || key > query / 64 * 64 - aShape.slash(),
                t -> Math.min(tokens.length, (t / chunk + 1) * chunk));
        try (InferenceEngine engine = new InferenceEngine(LoadedModel.load(model, WeightOptions.AS_STORED),
                EngineOptions.DEFAULTS.withPrefillChunk(chunk))) {
            float[][] scored = engine.score(tokens);
            for (int i = 0; i < tokens.length; i++) {
                float[] lp = SparseEngineTest.logSoftmax(scored[i]);
                for (int id = 0; id < lp.length; id++) {
                    assertEquals(expected[i][id], lp[id], 1e-4 * Math.max(1, Math.abs(expected[i][id]) / 10),
                            "position " + i + " token " + id);
                }
            }
        }
    }

    private static ModelConfig dcaModel(DualChunkAttentionConfig dca) {
        ModelConfig base = TinyModels.qwen2();
        return new ModelConfig(base.architecture(), base.hiddenSize(), base.intermediateSize(),
                base.numLayers(), base.numHeads(), base.numKvHeads(), base.headDim(), base.vocabSize(), base.rmsNormEps(),
                base.ropeTheta(), RopeScaling.NONE, 4096, true, true, 0, base.numLayers(), -1, base.eosTokenIds(), null, dca);
    }

    private Path write(ModelConfig config, List<HostTensor> weights) throws Exception {
        Path model = Files.createTempDirectory(dir, "dca");
        Files.writeString(model.resolve("config.json"), config.toJson());
        SafetensorsWriter.write(model.resolve("model.safetensors"), weights, DType.F32, Map.of());
        TokenizerGenerator.write(model, config.vocabSize());
        return model;
    }
}
