package io.kvasir.engine.runtime;

import io.kvasir.engine.model.HostTensor;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.model.format.GgufModelExporter;
import io.kvasir.engine.sampling.SampledToken;
import io.kvasir.engine.sampling.SamplingParams;
import io.kvasir.engine.sampling.TokenLogprob;
import io.kvasir.engine.tensor.DType;
import io.kvasir.engine.testing.LlamaCppReference;
import io.kvasir.engine.testing.TinyModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The engine against llama.cpp, an implementation no one here wrote, on the same random GGUF (F32 weights):
 * the log-softmax at every prompt position (whole vocabulary) and, along 16 greedy steps through the engine's
 * decode path, the chosen token's and the top-20 alternatives' log-probabilities, within 1e-4; identical greedy
 * tokens. llama.cpp runs with an F32 KV cache and no flash attention, so it is accurate to a few 1e-6.
 */
class EngineVsLlamaCppTest {

    private static final double TOLERANCE = 1e-4;
    private static final int[] PROMPT = {72, 101, 108, 108, 111, 32, 270, 300, 281, 119, 111, 114, 108, 100, 33, 10};
    private static final int STEPS = 16;

    @TempDir
    Path dir;

    @BeforeAll
    static void requireLlamaCpp() {
        assumeTrue(LlamaCppReference.available(), LlamaCppReference::skipMessage);
    }

    @Test
    void qwen2() throws Exception {
        crossCheck(TinyModels.qwen2(), "qwen2");
    }

    @Test
    void llama() throws Exception {
        crossCheck(TinyModels.llama(), "llama-bpe");
    }

    private void crossCheck(ModelConfig config, String pre) throws Exception {
        List<HostTensor> weights = TinyModels.weights(config, 42);
        Path gguf = dir.resolve("tiny.gguf");
        GgufModelExporter.export(config, weights, TinyModels.vocabulary(pre), DType.F32, gguf);
        LlamaCppReference.Result llama = LlamaCppReference.run(gguf, PROMPT, STEPS, 64);

        // A prefill chunk of 5 splits the prompt 5+5+5+1, so chunked prefill is part of what is compared.
        try (InferenceEngine engine = new InferenceEngine(LoadedModel.load(gguf, WeightOptions.AS_STORED),
                EngineOptions.DEFAULTS.withPrefillChunk(5))) {
            float[][] scored = engine.score(PROMPT);
            double worst = 0;
            for (int i = 0; i < PROMPT.length; i++) {
                float[] lp = LogProbs.of(scored[i]);
                for (int id = 0; id < lp.length; id++) {
                    worst = Math.max(worst, Math.abs(lp[id] - llama.promptLogprobs()[i][id]));
                }
            }
            assertEquals(0, worst, TOLERANCE, "prompt log-softmax, worst |Δ|");

            Sequence seq = engine.start(PROMPT, SamplingParams.builder().temperature(0).maxTokens(STEPS).logprobs(20).ignoreEos(true).build());
            engine.prefill(seq);
            while (!seq.isFinished()) {
                engine.decode(List.of(seq));
            }
            assertArrayEquals(llama.greedyTokens(), seq.generated(), "greedy tokens");
            List<SampledToken> sampled = seq.sampledTokens();
            for (int step = 0; step < STEPS; step++) {
                float[] expected = llama.greedyLogprobs()[step];
                SampledToken t = sampled.get(step);
                assertEquals(expected[t.id()], t.logprob(), TOLERANCE, "chosen logprob at step " + step);
                assertEquals(20, t.top().size());
                for (TokenLogprob alt : t.top()) {
                    assertEquals(expected[alt.id()], alt.logprob(), TOLERANCE, "top logprob of " + alt.id() + " at step " + step);
                }
            }
            System.out.printf("%s: engine vs llama.cpp, worst |Δ logprob| over the prompt = %.3g%n", config.architecture(), worst);
        }
    }
}
