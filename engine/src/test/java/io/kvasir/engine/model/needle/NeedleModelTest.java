package io.kvasir.engine.model.needle;

import io.kvasir.engine.bench.NeedleBenchmark;
import io.kvasir.engine.bench.PrefillMethod;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.LoadedModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The needle model with dense attention through the engine: the right value at every tested length and depth, with
 * one needle and with four (distinct keys, one asked), and log-probability above −0.1.
 */
class NeedleModelTest {

    private static final PrefillMethod DENSE = PrefillMethod.withPlan("dense", null);

    @TempDir
    static Path dir;
    private static InferenceEngine engine;

    @BeforeAll
    static void writeModel() throws Exception {
        NeedleModelWriter.write(dir, NeedleModelWriter.DEFAULT_KEYS, NeedleModelWriter.DEFAULT_SEED,
                NeedleModelWriter.DEFAULT_ROPE_THETA);
        engine = NeedleBenchmark.engine(LoadedModel.load(dir, WeightOptions.AS_STORED), 32768);
    }

    @AfterAll
    static void close() throws Exception {
        engine.close();
    }

    @Test
    void answersAt8192EveryDepth() {
        assertAllCorrect(NeedleBenchmark.run(engine, List.of(DENSE), List.of(8192),
                List.of(0.0, 0.25, 0.5, 0.75, 1.0), List.of(1, 4), 11));
    }

    /** Fewer prompts at 32K: each costs about 16 times an 8K one (dense attention is quadratic). */
    @Test
    void answersAt32768() {
        assertAllCorrect(NeedleBenchmark.run(engine, List.of(DENSE), List.of(32768), List.of(0.0, 1.0), List.of(1), 12));
        assertAllCorrect(NeedleBenchmark.run(engine, List.of(DENSE), List.of(32768), List.of(0.5), List.of(4), 13));
    }

    private static void assertAllCorrect(List<NeedleBenchmark.Result> results) {
        for (NeedleBenchmark.Result r : results) {
            assertEquals(r.expected(), r.got(), "greedy answer of " + r);
            assertTrue(r.correct(), r.toString());
            assertTrue(r.answerLogprob() > -0.1, "answer log-probability of " + r);
        }
    }
}
