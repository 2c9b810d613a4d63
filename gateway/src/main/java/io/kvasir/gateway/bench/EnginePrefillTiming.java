package io.kvasir.gateway.bench;

import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.runtime.EngineOptions;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.LoadedModel;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.engine.sampling.SamplingParams;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/** Times the in-process engine's prefill (first token included) of a random prompt: the gateway's TTFT floor. */
final class EnginePrefillTiming {

    private static final int RUNS = 3;

    private EnginePrefillTiming() {}

    static double medianMs(Path model, int promptTokens, long seed) throws Exception {
        try (InferenceEngine engine = new InferenceEngine(LoadedModel.load(model, WeightOptions.AS_STORED), EngineOptions.DEFAULTS)) {
            int[] prompt = new int[promptTokens];
            ServingBenchmark.randomPrompt(new Random(seed), prompt);
            SamplingParams params = SamplingParams.builder().maxTokens(1).build();
            double[] ms = new double[RUNS];
            prefill(engine, prompt, params);
            for (int i = 0; i < RUNS; i++) {
                long t0 = System.nanoTime();
                prefill(engine, prompt, params);
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(ms);
            return ms[RUNS / 2];
        }
    }

    private static void prefill(InferenceEngine engine, int[] prompt, SamplingParams params) {
        Sequence s = engine.start(prompt, params);
        engine.prefill(s);
        s.cancel();
    }
}
