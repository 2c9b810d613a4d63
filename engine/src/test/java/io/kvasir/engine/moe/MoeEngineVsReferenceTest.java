package io.kvasir.engine.moe;

import io.kvasir.engine.model.HostTensor;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.runtime.EngineOptions;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.LoadedModel;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.engine.sampling.SampledToken;
import io.kvasir.engine.sampling.SamplingParams;
import io.kvasir.engine.testing.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's MoE forward pass against the float64 per-expert reference ({@link MoeReferenceForward}) on tiny
 * random models of all three forms: scoring in chunks (the Read-ME router carrying its history across chunks) and
 * batched greedy decode. Tolerance 1e-4 in log-probability, as for the dense engine.
 */
class MoeEngineVsReferenceTest {

    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"qwen2-moe", "mixtral", "readme"})
    void scoringMatchesReference(String form) throws Exception {
        ModelConfig config = config(form);
        List<HostTensor> weights = MoeTinyModels.weights(config, 7);
        int[] tokens = tokens(90, 3);
        double[][] expected = new MoeReferenceForward(config, weights).logSoftmax(tokens);
        try (InferenceEngine engine = engine(MoeTinyModels.write(dir, config, weights), WeightOptions.AS_STORED)) {
            float[][] scored = engine.score(tokens);
            for (int i = 0; i < tokens.length; i++) {
                double[] lp = logSoftmax(scored[i]);
                for (int id = 0; id < lp.length; id++) {
                    assertEquals(expected[i][id], lp[id], TOLERANCE, "position " + i + " token " + id);
                }
            }
        }
    }

    /** Every MoE layer runs exactly the experts the router predicts for the pass, and the router matches float64. */
    @Test
    void everyReadMeLayerUsesTheRoutersChoice() throws Exception {
        ModelConfig config = MoeTinyModels.readMe();
        List<HostTensor> weights = MoeTinyModels.weights(config, 13);
        int[] tokens = tokens(30, 8);                                   // one pass: under the prefill chunk of 32
        int[] expected = new MoeReferenceForward(config, weights).routerExperts(tokens);
        try (InferenceEngine engine = engine(MoeTinyModels.write(dir, config, weights), WeightOptions.AS_STORED)) {
            MixtureOfExperts moe = engine.model().weights().moe();
            assertArrayEquals(expected, moe.router().predict(tokens), "router argmax per position");
            long distinct = Arrays.stream(expected).distinct().count();
            assertTrue(distinct > 2, "the router must spread tokens over several experts for this test to mean anything");
            engine.score(tokens);
            for (ExpertCache cache : moe.caches()) {
                assertEquals(distinct, cache.misses(), "each layer loads exactly the router's experts once");
                assertEquals(0, cache.hits());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"qwen2-moe", "readme"})
    void batchedDecodeMatchesReference(String form) throws Exception {
        ModelConfig config = config(form);
        List<HostTensor> weights = MoeTinyModels.weights(config, 11);
        MoeReferenceForward reference = new MoeReferenceForward(config, weights);
        int[][] prompts = {tokens(10, 1), tokens(70, 2), tokens(3, 3)};
        int steps = 5;
        try (InferenceEngine engine = engine(MoeTinyModels.write(dir, config, weights), WeightOptions.AS_STORED)) {
            List<Sequence> batch = new ArrayList<>();
            for (int[] p : prompts) {
                Sequence s = engine.start(p, SamplingParams.builder().temperature(0).maxTokens(steps).logprobs(1).ignoreEos(true).build());
                engine.prefill(s);
                batch.add(s);
            }
            while (batch.stream().anyMatch(s -> !s.isFinished())) {
                engine.decode(batch);
            }
            for (int b = 0; b < prompts.length; b++) {
                int[] expectedTokens = reference.greedy(prompts[b], steps);
                assertArrayEquals(expectedTokens, batch.get(b).generated(), "sequence " + b);
                int[] all = Arrays.copyOf(prompts[b], prompts[b].length + steps);
                System.arraycopy(expectedTokens, 0, all, prompts[b].length, steps);
                double[][] expected = reference.logSoftmax(all);
                List<SampledToken> sampled = batch.get(b).sampledTokens();
                for (int step = 0; step < steps; step++) {
                    SampledToken t = sampled.get(step);
                    assertEquals(expected[prompts[b].length - 1 + step][t.id()], t.logprob(), TOLERANCE,
                            "sequence " + b + " step " + step);
                }
            }
        }
    }

    static ModelConfig config(String form) {
        return switch (form) {
            case "qwen2-moe" -> MoeTinyModels.qwen2Moe();
            case "mixtral" -> MoeTinyModels.mixtral();
            case "readme" -> MoeTinyModels.readMe();
            default -> throw new IllegalArgumentException(form);
        };
    }

    static InferenceEngine engine(Path model, WeightOptions options) throws Exception {
        return new InferenceEngine(LoadedModel.load(model, options), EngineOptions.DEFAULTS.withPrefillChunk(32));
    }

    static int[] tokens(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(TinyModels.VOCAB_SIZE);
        }
        return t;
    }

    static double[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        double lse = max + Math.log(sum);
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = logits[i] - lse;
        }
        return out;
    }
}
