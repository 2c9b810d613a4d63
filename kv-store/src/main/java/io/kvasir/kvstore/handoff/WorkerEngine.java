package io.kvasir.kvstore.handoff;

import io.kvasir.engine.kv.KvPrecision;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.runtime.EngineOptions;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.LoadedModel;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.engine.sampling.SamplingParams;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The engine a worker runs: the model, its KV precision and cache size, the prefill chunk, and a warm-up. */
public final class WorkerEngine {

    /** Prompt lengths that cover one and several prefill chunks and attention over many blocks. */
    private static final int[] WARM_UP_LENGTHS = {100, 700, 1100};

    private WorkerEngine() {
    }

    /** {@code bf16} or {@code f32}: the KV cache's precision, which is also the store's. */
    public static KvPrecision precision(String name) {
        return switch (name) {
            case "bf16" -> KvPrecision.BF16;
            case "f32" -> KvPrecision.F32;
            default -> throw new IllegalArgumentException("the KV precision is bf16 or f32, not '" + name + "'");
        };
    }

    public static InferenceEngine open(Path model, KvPrecision kv, int kvCacheMib, int prefillChunk, int warmUpRounds)
            throws IOException {
        EngineOptions options = new EngineOptions(prefillChunk, (long) kvCacheMib << 20, kv, WeightOptions.AS_STORED);
        InferenceEngine engine = new InferenceEngine(LoadedModel.load(model, options.weights()), options);
        warmUp(engine, warmUpRounds);
        return engine;
    }

    /**
     * Runs synthetic requests until the kernels are compiled. Before that the engine's vector reductions sum in
     * another order (interpreted and C1 code runs the Vector API's scalar fallback), so a cold worker's logprobs
     * differ from a warm one's in the last bits; warm workers agree with each other bit for bit.
     */
    public static void warmUp(InferenceEngine engine, int rounds) {
        int vocab = engine.model().config().vocabSize();
        int context = engine.model().config().maxPositionEmbeddings();
        SamplingParams params = SamplingParams.builder().temperature(0).logprobs(3).maxTokens(8).ignoreEos(true).build();
        for (int r = 0; r < rounds; r++) {
            int[] prompt = new int[Math.min(context - 16, WARM_UP_LENGTHS[r % WARM_UP_LENGTHS.length])];
            for (int i = 0; i < prompt.length; i++) {
                prompt[i] = (int) ((i * 2654435761L + r) % vocab);
            }
            Sequence s = engine.start(prompt, params);
            engine.prefill(s);
            while (!s.isFinished()) {
                engine.decode(List.of(s));
            }
        }
    }
}
