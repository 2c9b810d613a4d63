package io.kvasir.engine.attention.sparse;

import io.kvasir.engine.model.HostTensor;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.model.format.SafetensorsWriter;
import io.kvasir.engine.runtime.EngineOptions;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.LoadedModel;
import io.kvasir.engine.tensor.DType;
import io.kvasir.engine.testing.ReferenceForward;
import io.kvasir.engine.testing.TinyModels;
import io.kvasir.engine.tokenizer.TokenizerGenerator;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine running a per-layer, per-head sparse config (A-shape and dense heads, so the mask is known ahead) against
 * the float64 reference forward pass masked the same way: the config is found in the model folder or given as a file,
 * and chunked prefill with chunks that are and are not multiples of 64. Tolerance 1e-4 in log-probability, as
 * EngineVsReferenceTest; the same logits also differ from dense attention's by far more, so the config is in use.
 */
class SparseEngineTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "chunk {0}, config in model folder: {1}")
    @CsvSource({"64, true", "100, false"})
    void engineFollowsThePerHeadConfig(int chunk, boolean inModelFolder) throws Exception {
        ModelConfig config = TinyModels.qwen2();
        List<HostTensor> weights = TinyModels.weights(config, 21);
        SparseAttentionConfig sparse = new SparseAttentionConfig(List.of(
                Map.of(0, PatternSpec.aShape(16, 64), 1, PatternSpec.dense(), 2, PatternSpec.aShape(4, 32), 3, PatternSpec.aShape(16, 64)),
                Map.of(0, PatternSpec.aShape(8, 40), 1, PatternSpec.aShape(8, 40), 2, PatternSpec.dense(), 3, PatternSpec.aShape(30, 1))),
                PatternSpec.dense());
        Path model = write(config, weights);
        Path file = inModelFolder ? model.resolve(SparseAttentionConfig.FILE_NAME) : dir.resolve("patterns.json");
        sparse.write(file);
        int[] tokens = tokens(250, 5);
        ReferenceForward reference = new ReferenceForward(config, weights);
        double[][] expected = reference.logSoftmax(tokens, (layer, head, query, key) -> {
            PatternSpec p = sparse.of(layer, head);
            if (p.type().equals(PatternSpec.DENSE)) {
                return true;
            }
            int chunkStart = query / chunk * chunk;
            int blockStart = chunkStart + (query - chunkStart) / 64 * 64;
            return key < p.vertical() || key > blockStart - p.slash();
        });
        double[][] dense = reference.logSoftmax(tokens);
        EngineOptions options = EngineOptions.DEFAULTS.withPrefillChunk(chunk).withSparseConfig(inModelFolder ? null : file);
        try (InferenceEngine engine = new InferenceEngine(LoadedModel.load(model, WeightOptions.AS_STORED), options)) {
            float[][] scored = engine.score(tokens);
            double fromDense = 0;
            for (int i = 0; i < tokens.length; i++) {
                float[] lp = logSoftmax(scored[i]);
                for (int id = 0; id < lp.length; id++) {
                    assertEquals(expected[i][id], lp[id], 1e-4, "position " + i + " token " + id);
                    fromDense = Math.max(fromDense, Math.abs(dense[i][id] - lp[id]));
                }
            }
            assertTrue(fromDense > 1e-2, "sparse logits equal dense ones (" + fromDense + "): the config was not used");
        }
    }

    private Path write(ModelConfig config, List<HostTensor> weights) throws Exception {
        Path model = Files.createTempDirectory(dir, "model");
        Files.writeString(model.resolve("config.json"), config.toJson());
        SafetensorsWriter.write(model.resolve("model.safetensors"), weights, DType.F32, Map.of());
        TokenizerGenerator.write(model, config.vocabSize());
        return model;
    }

    static float[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        float[] out = new float[logits.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (logits[i] - max - Math.log(sum));
        }
        return out;
    }

    static int[] tokens(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(TinyModels.VOCAB_SIZE);
        }
        return t;
    }
}
