package io.kvasir.engine.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.KeySpans;
import io.kvasir.engine.model.WeightOptions;
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
        }
    }

    @Test
    void resolvesSparseMethodsWithBudgetsAndRefusesTheRest() {
        assertEquals("dense", PrefillMethods.resolve(List.of("dense")).getFirst().name());
        assertEquals("vertical_slash:vertical=30/slash=50",
                PrefillMethods.resolve(List.of("vertical_slash:vertical=30/slash=50")).getFirst().name());
        IllegalArgumentException perModel = assertThrows(IllegalArgumentException.class,
                () -> PrefillMethods.resolve(List.of("dense", "seer")));
        assertTrue(perModel.getMessage().contains("'seer' cannot be chosen per prefill"), perModel.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PrefillMethods.resolve(List.of("a_shape:sink=x")));
        assertThrows(IllegalArgumentException.class, () -> PrefillMethods.resolve(List.of("a_shape:width=3")));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> PrefillMethods.resolve(List.of("denser")));
        assertTrue(unknown.getMessage().contains("unknown prefill method 'denser'"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PrefillMethods.resolve(List.of("dense:4096")));
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
