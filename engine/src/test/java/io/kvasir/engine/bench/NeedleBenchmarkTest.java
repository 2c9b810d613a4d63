package io.kvasir.engine.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.KeySpans;
import io.kvasir.engine.model.DualChunkAttentionConfig;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.model.needle.NeedlePrompt;
import io.kvasir.engine.model.needle.NeedleTokens;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.engine.sampling.SamplingParams;
import io.kvasir.engine.model.needle.NeedleModelWriter;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.LoadedModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NeedleBenchmarkTest {

    @TempDir
    Path dir;

    /**
     * A sink-plus-local-window plan (A-shape's pattern) whose window cannot reach a needle at depth 0.25 of 8192
     * tokens answers wrongly and is reported so; the same plan with a window that covers the needle, and dense
     * attention, answer right on the same prompt.
     */
    @Test
    void aBudgetTooSmallToReachTheNeedleIsReportedIncorrect() throws Exception {
        NeedleModelWriter.write(dir, NeedleModelWriter.DEFAULT_KEYS, NeedleModelWriter.DEFAULT_SEED,
                NeedleModelWriter.DEFAULT_ROPE_THETA);
        List<PrefillMethod> methods = List.of(PrefillMethod.withPlan("dense", null),
                PrefillMethod.withPlan("window_1024", sinkAndWindow(64, 1024)),
                PrefillMethod.withPlan("window_8192", sinkAndWindow(64, 8192)));
        try (InferenceEngine engine = NeedleBenchmark.engine(LoadedModel.load(dir, WeightOptions.AS_STORED), 8192)) {
            List<NeedleBenchmark.Result> results = NeedleBenchmark.run(engine, methods, List.of(8192), List.of(0.25),
                    List.of(1), 3);
            JsonNode rows = NeedleBenchmark.json(results).path("results");
            assertEquals(3, rows.size());
            assertTrue(rows.get(0).path("correct").asBoolean(), rows.get(0).toString());
            assertTrue(rows.get(2).path("correct").asBoolean(), rows.get(2).toString());

            JsonNode blind = rows.get(1);
            assertEquals("window_1024", blind.path("method").asText());
            assertFalse(blind.path("correct").asBoolean(), blind.toString());
            assertTrue(blind.path("answer_logprob").asDouble() < -5, "without the needle the answer is a guess: " + blind);
            assertTrue(blind.path("greedy_token").asInt() != blind.path("expected_token").asInt());
            assertEquals(0, blind.path("needle_in_plan_heads").asInt(), "the window left the needle out: " + blind);
            assertEquals(2, rows.get(2).path("needle_in_plan_heads").asInt(), rows.get(2).toString());
        }
    }

    /**
     * With the needle outside the plan every logit is 0 up to rounding, and greedy may land on the right value by
     * chance (it did in the 8K sweep for three methods at depth 0.75): that is not an answer.
     */
    @Test
    void aTieBrokenByRoundingIsNotAnAnswer() {
        float[] logits = new float[592];
        logits[331] = 1.2e-7f;
        logits[17] = -3e-8f;
        assertFalse(NeedleBenchmark.answers(logits, 331));
        logits[331] = 23.8f;
        assertTrue(NeedleBenchmark.answers(logits, 331));
        logits[17] = 24f;
        assertFalse(NeedleBenchmark.answers(logits, 331), "another token leads");
    }

    @Test
    void resolvesSparseMethodsWithBudgetsAndRefusesTheRest() {
        assertEquals("dense", PrefillMethods.resolve(List.of("dense")).getFirst().name());
        assertEquals("vertical_slash:vertical=30/slash=50",
                PrefillMethods.resolve(List.of("vertical_slash:vertical=30/slash=50")).getFirst().name());
        assertEquals("seer:ratio=0.05", PrefillMethods.resolve(List.of("seer:ratio=0.05")).getFirst().name());
        assertThrows(IllegalArgumentException.class, () -> PrefillMethods.resolve(List.of("seer:ratio=0")));
        assertThrows(IllegalArgumentException.class, () -> PrefillMethods.resolve(List.of("seer:blocks=3")));
        PrefillMethod dca = PrefillMethods.resolve(List.of("dca:chunk=2048/vertical=64")).getFirst();
        assertEquals(new DualChunkAttentionConfig(2048, 128, 2048, 32768), dca.dualChunk());
        assertThrows(IllegalArgumentException.class, () -> PrefillMethods.resolve(List.of("dca:chunk=64/local=64")));
        assertThrows(IllegalArgumentException.class, () -> PrefillMethods.resolve(List.of("dca:blocks=4")));
        assertThrows(IllegalArgumentException.class, () -> PrefillMethods.resolve(List.of("a_shape:sink=x")));
        assertThrows(IllegalArgumentException.class, () -> PrefillMethods.resolve(List.of("a_shape:width=3")));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> PrefillMethods.resolve(List.of("denser")));
        assertTrue(unknown.getMessage().contains("unknown prefill method 'denser'"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PrefillMethods.resolve(List.of("dense:4096")));
    }

    /**
     * Seer with gates fitted on the needle model answers, and the probe shows why it cannot miss: the question's query
     * block is among the last two, which SeerAttention keeps dense, so that block visits every key.
     */
    @Test
    void seerFitsItsGatesAndKeepsTheQuestionsBlockDense() throws Exception {
        NeedleModelWriter.write(dir, NeedleModelWriter.DEFAULT_KEYS, NeedleModelWriter.DEFAULT_SEED,
                NeedleModelWriter.DEFAULT_ROPE_THETA);
        try (InferenceEngine engine = NeedleBenchmark.engine(LoadedModel.load(dir, WeightOptions.AS_STORED), 4096)) {
            List<NeedleBenchmark.Result> results = NeedleBenchmark.run(engine,
                    PrefillMethods.resolve(List.of("seer", "seer:ratio=0.001")), List.of(4096), List.of(0.25), List.of(4), 5);
            for (NeedleBenchmark.Result r : results) {
                assertTrue(r.correct() && r.answerLogprob() > -0.1, r.toString());
                assertEquals(r.heads(), r.needleHeads(), r.toString());
                assertEquals(4096, r.questionKeys(), 0, "the question's block is dense: " + r);
            }
        }
    }

    /**
     * Whether Seer's gates themselves find a needle, with the question early enough (at 3000 of 4096 tokens) that its
     * query block is not one of the two SeerAttention keeps dense: at ratio 0.05 (3 of the ~47 causal key blocks)
     * the gates, fitted on a calibration prompt with other needles at other positions, put the asked needle's block
     * in the question's plan in every head, with three other needles as distractors.
     */
    @Test
    void seerGatesPickTheNeedleBlockForAQuestionMidPrompt() throws Exception {
        NeedleModelWriter.write(dir, NeedleModelWriter.DEFAULT_KEYS, NeedleModelWriter.DEFAULT_SEED,
                NeedleModelWriter.DEFAULT_ROPE_THETA);
        try (InferenceEngine engine = NeedleBenchmark.engine(LoadedModel.load(dir, WeightOptions.AS_STORED), 4096)) {
            PrefillMethod seer = PrefillMethods.resolve(List.of("seer:ratio=0.05")).getFirst();
            seer.prepare(engine);
            NeedleTokens ids = NeedleTokens.of(engine.model().tokenizer());
            int question = 3000;
            for (double depth : List.of(0.0, 0.3, 0.6, 0.9)) {
                NeedlePrompt prompt = NeedlePrompt.build(ids, question + 1, depth, 4, 17);
                int[] tokens = java.util.Arrays.copyOf(prompt.tokens(), 4096);
                for (int t = question + 1; t < tokens.length; t++) {
                    tokens[t] = ids.filler()[t % ids.filler().length];
                }
                QuestionPlanProbe probe = new QuestionPlanProbe(seer.planner(), question, prompt.positions()[0], 2);
                Sequence seq = engine.start(tokens, SamplingParams.builder().temperature(0).maxTokens(1).ignoreEos(true).build());
                engine.prefill(seq, probe);
                seq.cancel();
                QuestionPlanProbe.Finding f = probe.finding();
                System.err.printf("seer gate: needle at %d, question at %d: needle in the plan of %d/%d heads, %.0f keys%n",
                        prompt.positions()[0], question, f.needleHeads(), f.heads(), f.keys());
                assertEquals(2, f.needleHeads(), "depth " + depth + ": " + f);
                // 3 picked blocks, the sink block, the block before the question's and the question's own
                assertTrue(f.keys() <= 6 * 64, "sparse: " + f);
            }
        }
    }

    /**
     * DCA through a dual-chunk variant of the model: dense below the sparse threshold at every DCA region of the
     * needle; above it vertical-slash estimated under DCA's rotations finds the needle, while the same at the
     * smallest budget (forced columns and diagonals only) leaves it out of the question's plan and answers wrongly.
     */
    @Test
    void dualChunkRetrievesAndFailsOnlyWhenThePlanDropsTheNeedle() throws Exception {
        List<PrefillMethod> methods = PrefillMethods.resolve(List.of("dca:chunk=1024", "dca:chunk=1024/threshold=2048",
                "dca:chunk=1024/threshold=2048/vertical=30/slash=50"));
        NeedleModelWriter.write(dir, NeedleModelWriter.DEFAULT_KEYS, NeedleModelWriter.DEFAULT_SEED,
                NeedleModelWriter.DEFAULT_ROPE_THETA, methods.get(0).dualChunk());
        Path sparse = dir.resolve("sparse");
        NeedleModelWriter.write(sparse, NeedleModelWriter.DEFAULT_KEYS, NeedleModelWriter.DEFAULT_SEED,
                NeedleModelWriter.DEFAULT_ROPE_THETA, methods.get(1).dualChunk());
        try (InferenceEngine dense = NeedleBenchmark.engine(LoadedModel.load(dir, WeightOptions.AS_STORED), 4096);
             InferenceEngine aboveThreshold = NeedleBenchmark.engine(LoadedModel.load(sparse, WeightOptions.AS_STORED), 4096)) {
            assertEquals(960, dense.model().config().dualChunkAttention().chunkLength());
            // The question at 4095 sits in DCA chunk 4 of 960 tokens: depth 1 is intra, 0.9 successive, 0 and 0.5 inter.
            for (NeedleBenchmark.Result r : NeedleBenchmark.run(dense, methods.subList(0, 1), List.of(4096),
                    List.of(0.0, 0.5, 0.9, 1.0), List.of(1, 4), 6)) {
                assertTrue(r.correct() && r.answerLogprob() > -0.1, r.toString());
            }
            List<NeedleBenchmark.Result> sparseResults = NeedleBenchmark.run(aboveThreshold, methods.subList(1, 3),
                    List.of(4096), List.of(0.5), List.of(1), 7);
            NeedleBenchmark.Result found = sparseResults.get(0), missed = sparseResults.get(1);
            assertTrue(found.correct() && found.answerLogprob() > -0.1, found.toString());
            assertTrue(found.questionKeys() < 4096, "sparse above the threshold: " + found);
            assertFalse(missed.correct(), missed.toString());
            assertEquals(0, missed.needleHeads(), missed.toString());
            assertThrows(IllegalArgumentException.class,
                    () -> NeedleBenchmark.run(dense, methods.subList(1, 2), List.of(1024), List.of(0.5), List.of(1), 8));
        }
    }

    /** The first {@code sink} keys and the {@code window} keys up to each query block's last row. */
    private static AttentionPlan sinkAndWindow(int sink, int window) {
        return (head, first, last) -> {
            int windowStart = Math.max(0, first - window + 1);
            return windowStart <= sink
                    ? KeySpans.range(0, last + 1)
                    : new KeySpans(new int[]{0, windowStart}, new int[]{sink, last + 1}, new int[0]);
        };
    }
}
