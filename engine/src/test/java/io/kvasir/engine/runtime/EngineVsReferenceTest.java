package io.kvasir.engine.runtime;

import io.kvasir.engine.kv.KvCacheFullException;
import io.kvasir.engine.kv.KvPrecision;
import io.kvasir.engine.model.HostTensor;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.model.format.GgufModelExporter;
import io.kvasir.engine.model.format.SafetensorsWriter;
import io.kvasir.engine.sampling.SampledToken;
import io.kvasir.engine.sampling.SamplingParams;
import io.kvasir.engine.tensor.DType;
import io.kvasir.engine.testing.ReferenceForward;
import io.kvasir.engine.testing.TinyModels;
import io.kvasir.engine.tokenizer.TokenizerGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The engine's whole forward pass against the float64 reference forward pass (plain loops, written separately) on
 * tiny random models: scoring, chunked prefill, and batched decode of sequences of different lengths crossing KV
 * block boundaries. Tolerance 1e-4 in log-probability (F32 accumulation over hidden sizes of 64–128).
 */
class EngineVsReferenceTest {

    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"qwen2", "llama"})
    void scoringMatchesReference(String arch) throws Exception {
        ModelConfig config = arch.equals("qwen2") ? TinyModels.qwen2() : TinyModels.llama();
        List<HostTensor> weights = TinyModels.weights(config, 7);
        ReferenceForward reference = new ReferenceForward(config, weights);
        int[] tokens = tokens(150, 3);                                  // three KV blocks, a partial last one
        try (InferenceEngine engine = engine(config, weights, DType.F32, 64)) {
            float[][] scored = engine.score(tokens);
            double[][] expected = reference.logSoftmax(tokens);
            for (int i = 0; i < tokens.length; i++) {
                float[] lp = LogProbs.of(scored[i]);
                for (int id = 0; id < lp.length; id++) {
                    assertEquals(expected[i][id], lp[id], TOLERANCE, "position " + i + " token " + id);
                }
            }
        }
    }

    @Test
    void batchedDecodeOfDifferentLengthsMatchesEachSequenceAlone() throws Exception {
        ModelConfig config = TinyModels.qwen2();
        List<HostTensor> weights = TinyModels.weights(config, 11);
        ReferenceForward reference = new ReferenceForward(config, weights);
        int[][] prompts = {tokens(10, 1), tokens(70, 2), tokens(3, 3), tokens(127, 4)};
        int steps = 6;
        try (InferenceEngine engine = engine(config, weights, DType.F32, 32)) {
            List<Sequence> batch = new ArrayList<>();
            for (int[] p : prompts) {
                Sequence s = engine.start(p, SamplingParams.builder().temperature(0).maxTokens(steps).logprobs(5).ignoreEos(true).build());
                engine.prefill(s);
                batch.add(s);
            }
            while (batch.stream().anyMatch(s -> !s.isFinished())) {
                engine.decode(batch);
            }
            for (int b = 0; b < prompts.length; b++) {
                int[] expectedTokens = reference.greedy(prompts[b], steps);
                assertArrayEquals(expectedTokens, batch.get(b).generated(), "sequence " + b);
                int[] all = concat(prompts[b], expectedTokens);
                double[][] expected = reference.logSoftmax(all);
                List<SampledToken> sampled = batch.get(b).sampledTokens();
                for (int step = 0; step < steps; step++) {
                    SampledToken t = sampled.get(step);
                    assertEquals(expected[prompts[b].length - 1 + step][t.id()], t.logprob(), TOLERANCE,
                            "sequence " + b + " step " + step);
                }
            }
            assertEquals(engine.cache().pool().capacity(), engine.cache().pool().freeBlocks(), "finished sequences free their blocks");
        }
    }

    @Test
    void aPromptLargerThanTheKvCacheFailsAndFreesItsBlocks() throws Exception {
        ModelConfig config = TinyModels.qwen2();
        long twoBlocks = 2L * 2 * config.numLayers() * 64 * config.numKvHeads() * config.headDim() * 4;
        try (InferenceEngine engine = new InferenceEngine(
                LoadedModel.load(write(config, TinyModels.weights(config, 1), DType.F32), WeightOptions.AS_STORED),
                new EngineOptions(64, twoBlocks, KvPrecision.F32, WeightOptions.AS_STORED))) {
            assertEquals(2, engine.cache().pool().capacity());
            Sequence s = engine.start(tokens(200, 1), SamplingParams.greedy());
            assertThrows(KvCacheFullException.class, () -> engine.prefill(s));
            assertEquals(2, engine.cache().pool().freeBlocks());
            Sequence fits = engine.start(tokens(100, 2), SamplingParams.greedy());
            engine.prefill(fits);                                     // the engine still serves what fits
            assertEquals(1, fits.generated().length);
        }
    }

    @Test
    void bf16KvCacheStaysCloseToReference() throws Exception {
        ModelConfig config = TinyModels.qwen2();
        List<HostTensor> weights = TinyModels.weights(config, 5);
        ReferenceForward reference = new ReferenceForward(config, weights);
        int[] tokens = tokens(80, 9);
        Path model = write(config, weights, DType.F32);
        try (InferenceEngine engine = new InferenceEngine(LoadedModel.load(model, WeightOptions.AS_STORED),
                EngineOptions.DEFAULTS.withKvPrecision(KvPrecision.BF16))) {
            float[][] scored = engine.score(tokens);
            double[][] expected = reference.logSoftmax(tokens);
            double worst = 0;
            for (int i = 0; i < tokens.length; i++) {
                float[] lp = LogProbs.of(scored[i]);
                for (int id = 0; id < lp.length; id++) {
                    worst = Math.max(worst, Math.abs(Math.exp(expected[i][id]) - Math.exp(lp[id])));
                }
            }
            // BF16 keeps 8 significant bits of K and V; this tiny model's large attention scores amplify that, but
            // no probability may move by more than 0.02 (a wrong BF16 conversion moves them by ≫ 0.1).
            assertEquals(0, worst, 0.02, "worst |Δ probability| with a BF16 KV cache");
        }
    }

    /** The same weights as BF16 safetensors and as an F32 GGUF of the BF16-rounded values give the same logits. */
    @Test
    void bf16SafetensorsAndGgufAgree() throws Exception {
        ModelConfig config = TinyModels.qwen2();
        List<HostTensor> weights = TinyModels.weights(config, 3);
        Path safetensors = write(config, weights, DType.BF16);
        Path gguf = dir.resolve("rounded.gguf");
        GgufModelExporter.export(config, roundToBf16(weights), TinyModels.vocabulary("qwen2"), DType.F32, gguf);
        int[] tokens = tokens(40, 5);
        try (InferenceEngine a = new InferenceEngine(LoadedModel.load(safetensors, WeightOptions.AS_STORED), EngineOptions.DEFAULTS);
             InferenceEngine b = new InferenceEngine(LoadedModel.load(gguf, WeightOptions.AS_STORED), EngineOptions.DEFAULTS)) {
            float[][] la = a.score(tokens), lb = b.score(tokens);
            for (int i = 0; i < tokens.length; i++) {
                for (int id = 0; id < la[i].length; id++) {
                    assertEquals(lb[i][id], la[i][id], 1e-4, "position " + i + " token " + id);
                }
            }
        }
    }

    private InferenceEngine engine(ModelConfig config, List<HostTensor> weights, DType dtype, int chunk) throws Exception {
        return new InferenceEngine(LoadedModel.load(write(config, weights, dtype), WeightOptions.AS_STORED),
                EngineOptions.DEFAULTS.withPrefillChunk(chunk));
    }

    private Path write(ModelConfig config, List<HostTensor> weights, DType dtype) throws Exception {
        Path model = Files.createTempDirectory(dir, "model");
        Files.writeString(model.resolve("config.json"), config.toJson());
        SafetensorsWriter.write(model.resolve("model.safetensors"), weights, dtype, Map.of());
        TokenizerGenerator.write(model, config.vocabSize());
        return model;
    }

    private static List<HostTensor> roundToBf16(List<HostTensor> weights) {
        List<HostTensor> out = new ArrayList<>();
        for (HostTensor t : weights) {
            float[] v = t.values().clone();
            for (int i = 0; i < v.length; i++) {
                int bits = Float.floatToRawIntBits(v[i]);
                v[i] = Float.intBitsToFloat(((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) << 16);
            }
            out.add(new HostTensor(t.name(), t.shape(), v));
        }
        return out;
    }

    private static int[] tokens(int n, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(TinyModels.VOCAB_SIZE);
        }
        return t;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
