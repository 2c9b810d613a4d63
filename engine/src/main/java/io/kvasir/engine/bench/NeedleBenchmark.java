package io.kvasir.engine.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.KvPrecision;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.model.needle.NeedlePrompt;
import io.kvasir.engine.model.needle.NeedleTokens;
import io.kvasir.engine.runtime.EngineOptions;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.LoadedModel;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.engine.sampling.SamplingParams;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Needle retrieval at long context under each prefill method: for every length, depth and needle count one prompt
 * (the same for every method), prefilled through {@link InferenceEngine} in large chunks; a result records whether
 * the greedy next token is the right value and that value's log-probability.
 */
public final class NeedleBenchmark {

    /** Large chunks: few passes over the weights, and many query blocks for the cores to share. */
    static final int PREFILL_CHUNK = 16384;
    /** A short dense prefill first, so the first timed prompt does not pay for JIT compilation. */
    private static final int WARMUP_TOKENS = 4096;

    /** @param model a needle model folder or GGUF; null writes (once) and uses the default one */
    public record Settings(Path model, List<Integer> lengths, List<Double> depths, List<Integer> needles,
                           List<String> methods, long seed) {
    }

    /** @param expected the right value's token id; {@code got} the greedy token's */
    public record Result(String method, int tokens, double depth, int needles, boolean correct, double answerLogprob,
                         double prefillMs, int expected, int got) {
    }

    private NeedleBenchmark() {
    }

    public static ObjectNode run(Settings s) throws Exception {
        List<PrefillMethod> methods = PrefillMethods.resolve(s.methods());
        Path model = s.model() != null ? s.model() : NeedleBenchModel.ensure();
        try (InferenceEngine engine = engine(LoadedModel.load(model, WeightOptions.AS_STORED), Collections.max(s.lengths()))) {
            return json(run(engine, methods, s.lengths(), s.depths(), s.needles(), s.seed()));
        }
    }

    /** An engine whose KV cache holds one prompt of {@code longestPrompt} tokens, prefilling in large chunks. */
    public static InferenceEngine engine(LoadedModel model, int longestPrompt) {
        ModelConfig c = model.config();
        long bytesPerToken = 2L * Float.BYTES * c.numLayers() * c.numKvHeads() * c.headDim();
        long bytes = bytesPerToken * (Math.max(longestPrompt, WARMUP_TOKENS) + 2L * KvCache.BLOCK_TOKENS);
        return new InferenceEngine(model, new EngineOptions(PREFILL_CHUNK, bytes, KvPrecision.F32, WeightOptions.AS_STORED));
    }

    public static List<Result> run(InferenceEngine engine, List<PrefillMethod> methods, List<Integer> lengths,
                                   List<Double> depths, List<Integer> needles, long seed) {
        NeedleTokens ids = NeedleTokens.of(engine.model().tokenizer());
        NeedlePrompt warmup = NeedlePrompt.build(ids, WARMUP_TOKENS, 0.5, 1, seed);
        engine.prefill(engine.start(warmup.tokens(), greedyOneToken()));
        List<Result> results = new ArrayList<>();
        for (int length : lengths) {
            for (double depth : depths) {
                for (int n : needles) {
                    long promptSeed = seed * 1_000_003L + length * 31L + Math.round(depth * 1000) * 7L + n;
                    NeedlePrompt prompt = NeedlePrompt.build(ids, length, depth, n, promptSeed);
                    for (PrefillMethod method : methods) {
                        Result r = measure(engine, method, prompt, depth, n);
                        System.err.printf("needle: %-14s %7d tokens depth %.2f needles %d: %s, logprob %.3g, %.0f ms%n",
                                r.method(), r.tokens(), r.depth(), r.needles(), r.correct() ? "correct" : "WRONG",
                                r.answerLogprob(), r.prefillMs());
                        results.add(r);
                    }
                }
            }
        }
        return results;
    }

    static Result measure(InferenceEngine engine, PrefillMethod method, NeedlePrompt prompt, double depth, int needles) {
        Sequence seq = engine.start(prompt.tokens(), greedyOneToken());
        long start = System.nanoTime();
        float[] logits = method.prefill(engine, seq);
        double ms = (System.nanoTime() - start) / 1e6;
        seq.cancel();
        int got = seq.generated()[0];
        return new Result(method.name(), prompt.tokens().length, depth, needles, got == prompt.answer(),
                logSoftmaxAt(logits, prompt.answer()), ms, prompt.answer(), got);
    }

    public static ObjectNode json(List<Result> results) {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("suite", "needle");
        ArrayNode rows = root.putArray("results");
        for (Result r : results) {
            rows.addObject()
                    .put("method", r.method())
                    .put("tokens", r.tokens())
                    .put("depth", r.depth())
                    .put("needles", r.needles())
                    .put("correct", r.correct())
                    .put("answer_logprob", r.answerLogprob())
                    .put("prefill_ms", r.prefillMs())
                    .put("expected_token", r.expected())
                    .put("greedy_token", r.got());
        }
        return root;
    }

    private static SamplingParams greedyOneToken() {
        return SamplingParams.builder().temperature(0).maxTokens(1).ignoreEos(true).build();
    }

    private static double logSoftmaxAt(float[] logits, int id) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        return logits[id] - max - Math.log(sum);
    }
}
