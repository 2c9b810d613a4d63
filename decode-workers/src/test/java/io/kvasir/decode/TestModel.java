package io.kvasir.decode;

import io.kvasir.engine.kv.KvPrecision;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.RandomWeights;
import io.kvasir.engine.model.RopeScaling;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.model.format.SafetensorsWriter;
import io.kvasir.engine.runtime.EngineOptions;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.LoadedModel;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.engine.sampling.SampledToken;
import io.kvasir.engine.sampling.SamplingParams;
import io.kvasir.engine.tensor.DType;
import io.kvasir.engine.tokenizer.TokenizerGenerator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** A tiny random Qwen2 (2 layers, hidden 64, heads 4/2 of 16, vocab 320) and the single-process reference run. */
final class TestModel {

    static final int VOCAB = 320;
    static final int PREFILL_CHUNK = 512;

    private TestModel() {
    }

    static Path write(Path dir) throws Exception {
        ModelConfig config = new ModelConfig(ModelConfig.QWEN2, 64, 128, 2, 4, 2, 16, VOCAB, 1e-6, 1_000_000.0,
                RopeScaling.NONE, 16384, true, true, 0, 2, -1, List.of(VOCAB - 1));
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), config.toJson());
        SafetensorsWriter.write(dir.resolve("model.safetensors"), RandomWeights.generate(config, 3, 0.2), DType.F32, Map.of());
        TokenizerGenerator.write(dir, VOCAB);
        return dir;
    }

    static InferenceEngine engine(Path model, KvPrecision kv) throws Exception {
        EngineOptions options = new EngineOptions(PREFILL_CHUNK, 64L << 20, kv, WeightOptions.AS_STORED);
        return new InferenceEngine(LoadedModel.load(model, options.weights()), options);
    }

    /** What one process produces for the prompt: start, prefill, decode until finished. */
    static List<SampledToken> generate(InferenceEngine engine, int[] prompt, SamplingParams params) {
        Sequence s = engine.start(prompt, params);
        engine.prefill(s);
        while (!s.isFinished()) {
            engine.decode(List.of(s));
        }
        return s.sampledTokens();
    }

    static int[] tokens(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = 3 + r.nextInt(VOCAB - 8);
        }
        return t;
    }

    static int[] concat(int[] a, int[] b) {
        int[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    static List<Integer> ids(List<SampledToken> tokens) {
        List<Integer> out = new ArrayList<>();
        tokens.forEach(t -> out.add(t.id()));
        return out;
    }
}
