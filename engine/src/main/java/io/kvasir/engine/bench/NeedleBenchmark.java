package io.kvasir.engine.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.KvPrecision;
import io.kvasir.engine.model.DualChunkAttentionConfig;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.model.needle.NeedlePrompt;
import io.kvasir.engine.model.needle.NeedleTokens;
import io.kvasir.engine.runtime.EngineOptions;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.LoadedModel;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.engine.sampling.SamplingParams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Needle retrieval at long context under each prefill method: for every length, depth and needle count one prompt
 * (the same for every method), prefilled through {@link InferenceEngine} in large chunks; a result records whether
 * the greedy next token is the right value and that value's log-probability, and whether the plan that decided the
 * answer (the question's query block's) included the asked needle at all.
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

    /**
     * Nats by which the answer's logit must lead every other token's to count as correct. With the needle outside the
     * plan every logit is 0 up to float rounding (~1e-7), and the greedy token is whichever rounding favours: about one
     * time in 17 that is the right value (the 16 value rows and end-of-text are the only nonzero LM-head rows), which
     * is a tie broken by noise, not an answer. A needle the plan includes leads by ~24 nats.
     */
    static final double MIN_LEAD_NATS = 0.01;

    /**
     * @param correct     the greedy token is the answer and leads every other token by more than {@link #MIN_LEAD_NATS}
     * @param answerLead  the answer's logit minus the best other token's (negative when another token wins)
     * @param expected    the right value's token id; {@code got} the greedy token's
     * @param needleHeads heads whose plan for the question's query block includes the asked needle's position
     * @param questionKeys keys that block visits, mean over heads (the question's position + 1 when dense)
     */
    public record Result(String method, int tokens, double depth, int needles, boolean correct, double answerLogprob,
                         double answerLead, double prefillMs, int expected, int got, int needleHeads, int heads, double questionKeys) {
    }

    /** The engine a method runs on: the checkpoint itself for {@code null}, else its variant with that dual-chunk config. */
    public interface Engines {
        InferenceEngine forDualChunk(DualChunkAttentionConfig dca);
    }

    private NeedleBenchmark() {
    }

    public static ObjectNode run(Settings s) throws Exception {
        List<PrefillMethod> methods = PrefillMethods.resolve(s.methods());
        boolean dualChunk = methods.stream().anyMatch(m -> m.dualChunk() != null);
        if (dualChunk && s.model() != null) {
            throw new IllegalArgumentException("dca runs on a dual-chunk variant of the default needle model, which "
                    + "--model replaces; to run another model with DCA, put dual_chunk_attention_config in its config.json");
        }
        Path model = s.model() != null ? s.model() : NeedleBenchModel.ensure(null);
        int longest = Collections.max(s.lengths());
        Map<DualChunkAttentionConfig, InferenceEngine> open = new HashMap<>();
        try {
            Engines engines = dca -> open.computeIfAbsent(dca, d -> {
                try {
                    return engine(LoadedModel.load(d == null ? model : NeedleBenchModel.ensure(d), WeightOptions.AS_STORED), longest);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            return json(run(engines, methods, s.lengths(), s.depths(), s.needles(), s.seed()));
        } finally {
            for (InferenceEngine e : open.values()) {
                e.close();
            }
        }
    }

    /** An engine whose KV cache holds one prompt of {@code longestPrompt} tokens, prefilling in large chunks. */
    public static InferenceEngine engine(LoadedModel model, int longestPrompt) {
        ModelConfig c = model.config();
        long bytesPerToken = 2L * Float.BYTES * c.numLayers() * c.numKvHeads() * c.headDim();
        long bytes = bytesPerToken * (Math.max(longestPrompt, WARMUP_TOKENS) + 2L * KvCache.BLOCK_TOKENS);
        return new InferenceEngine(model, new EngineOptions(PREFILL_CHUNK, bytes, KvPrecision.F32, WeightOptions.AS_STORED));
    }

    /**
     * Every method on {@code engine}; a method that needs dual-chunk attention must find the engine's model
     * configured with exactly its config.
     */
    public static List<Result> run(InferenceEngine engine, List<PrefillMethod> methods, List<Integer> lengths,
                                   List<Double> depths, List<Integer> needles, long seed) {
        DualChunkAttentionConfig has = engine.model().config().dualChunkAttention();
        Engines one = dca -> {
            if (dca != null && !dca.equals(has)) {
                throw new IllegalArgumentException("a method needs dual-chunk attention " + dca + "; the engine's model has " + has);
            }
            return engine;
        };
        return run(one, methods, lengths, depths, needles, seed);
    }

    public static List<Result> run(Engines engines, List<PrefillMethod> methods, List<Integer> lengths,
                                   List<Double> depths, List<Integer> needles, long seed) {
        Set<InferenceEngine> warm = new HashSet<>();
        for (PrefillMethod method : methods) {
            InferenceEngine engine = engines.forDualChunk(method.dualChunk());
            if (warm.add(engine)) {
                NeedleTokens ids = NeedleTokens.of(engine.model().tokenizer());
                engine.prefill(engine.start(NeedlePrompt.build(ids, WARMUP_TOKENS, 0.5, 1, seed).tokens(), greedyOneToken()));
            }
            method.prepare(engine);
        }
        NeedleTokens ids = NeedleTokens.of(engines.forDualChunk(null).model().tokenizer());
        List<Result> results = new ArrayList<>();
        for (int length : lengths) {
            for (double depth : depths) {
                for (int n : needles) {
                    long promptSeed = seed * 1_000_003L + length * 31L + Math.round(depth * 1000) * 7L + n;
                    NeedlePrompt prompt = NeedlePrompt.build(ids, length, depth, n, promptSeed);
                    for (PrefillMethod method : methods) {
                        Result r = measure(engines.forDualChunk(method.dualChunk()), method, prompt, depth, n);
                        System.err.printf("needle: %-36s %7d tokens depth %.2f needles %d: %s, logprob %.3g, "
                                        + "needle in the question's plan for %d/%d heads, %.0f keys, %.0f ms%n",
                                r.method(), r.tokens(), r.depth(), r.needles(), r.correct() ? "correct" : "WRONG",
                                r.answerLogprob(), r.needleHeads(), r.heads(), r.questionKeys(), r.prefillMs());
                        results.add(r);
                    }
                }
            }
        }
        return results;
    }

    static Result measure(InferenceEngine engine, PrefillMethod method, NeedlePrompt prompt, double depth, int needles) {
        Sequence seq = engine.start(prompt.tokens(), greedyOneToken());
        QuestionPlanProbe probe = new QuestionPlanProbe(method.planner(), prompt.tokens().length - 1, prompt.positions()[0],
                engine.model().config().numHeads());
        long start = System.nanoTime();
        float[] logits = engine.prefill(seq, probe);
        double ms = (System.nanoTime() - start) / 1e6;
        seq.cancel();
        int got = seq.generated()[0];
        QuestionPlanProbe.Finding f = probe.finding();
        return new Result(method.name(), prompt.tokens().length, depth, needles, got == prompt.answer() && answers(logits, prompt.answer()),
                logSoftmaxAt(logits, prompt.answer()), lead(logits, prompt.answer()), ms, prompt.answer(), got, f.needleHeads(), f.heads(), f.keys());
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
                    .put("answer_lead", r.answerLead())
                    .put("answer_logprob", r.answerLogprob())
                    .put("prefill_ms", r.prefillMs())
                    .put("expected_token", r.expected())
                    .put("greedy_token", r.got())
                    .put("needle_in_plan_heads", r.needleHeads())
                    .put("heads", r.heads())
                    .put("question_block_keys", r.questionKeys());
        }
        return root;
    }

    private static SamplingParams greedyOneToken() {
        return SamplingParams.builder().temperature(0).maxTokens(1).ignoreEos(true).build();
    }

    /** Whether {@code logits} pick {@code answer} by a real margin (see {@link #MIN_LEAD_NATS}), not by rounding. */
    static boolean answers(float[] logits, int answer) {
        return lead(logits, answer) > MIN_LEAD_NATS;
    }

    private static double lead(float[] logits, int id) {
        double other = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) {
            if (i != id) {
                other = Math.max(other, logits[i]);
            }
        }
        return logits[id] - other;
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
