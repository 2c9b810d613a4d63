package io.kvasir.engine.bench;

import io.kvasir.engine.attention.AttentionPlanner;
import io.kvasir.engine.attention.sparse.SeerAttention;
import io.kvasir.engine.attention.sparse.SeerGate;
import io.kvasir.engine.attention.sparse.SparseSearch;
import io.kvasir.engine.model.needle.NeedlePrompt;
import io.kvasir.engine.model.needle.NeedleTokens;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.LoadedModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SeerAttention on the benchmark's model: gates from the model folder's {@value SeerAttention#FOLDER}/ when it has
 * them, else fitted once by self-distillation (the fit {@code sparse-search --seer} runs) on a needle calibration
 * prompt that none of the benchmark's prompts repeats, before anything is timed.
 */
final class SeerPrefill implements PrefillMethod {

    /** Long enough for 64 query blocks with four needles, short enough that the fit takes seconds. */
    static final int CALIBRATION_TOKENS = 4096;
    static final int CALIBRATION_NEEDLES = 4;
    static final long CALIBRATION_SEED = 0x5EE7L;
    /** As {@code sparse-search --seer}. */
    static final int FIT_STEPS = 200;
    static final double FIT_LEARNING_RATE = 3e-3;

    /** Gates per model, shared by every seer budget of one benchmark run. */
    static final class Gates {
        private final Map<Path, List<SeerGate>> byModel = new HashMap<>();

        synchronized List<SeerGate> of(LoadedModel model) {
            return byModel.computeIfAbsent(model.path(), p -> load(model));
        }

        private static List<SeerGate> load(LoadedModel model) {
            Path folder = model.path().resolve(SeerAttention.FOLDER);
            try {
                if (Files.isDirectory(folder)) {
                    return SeerAttention.read(folder, model.config());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            NeedlePrompt calibration = NeedlePrompt.build(NeedleTokens.of(model.tokenizer()), CALIBRATION_TOKENS, 0.5,
                    CALIBRATION_NEEDLES, CALIBRATION_SEED);
            long t0 = System.nanoTime();
            List<SeerGate> gates = SparseSearch.fitSeerGates(model.config(), model.weights(), calibration.tokens(),
                    FIT_STEPS, FIT_LEARNING_RATE, System.err);
            System.err.printf("needle: fitted Seer gates on a %d-token needle prompt in %.1f s%n", CALIBRATION_TOKENS,
                    (System.nanoTime() - t0) / 1e9);
            return gates;
        }
    }

    private final String name;
    private final double topRatio;
    private final double threshold;
    private final Gates gates;
    private AttentionPlanner planner;

    SeerPrefill(String name, double topRatio, double threshold, Gates gates) {
        if (!(topRatio > 0 && topRatio <= 1)) {
            throw new IllegalArgumentException(name + ": ratio must be in (0, 1], got " + topRatio);
        }
        if (!(threshold >= 0 && threshold < 1)) {
            throw new IllegalArgumentException(name + ": threshold must be in [0, 1), got " + threshold);
        }
        this.name = name;
        this.topRatio = topRatio;
        this.threshold = threshold;
        this.gates = gates;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void prepare(InferenceEngine engine) {
        planner = new SeerAttention(gates.of(engine.model()), engine.model().config(), topRatio, threshold);
    }

    @Override
    public AttentionPlanner planner() {
        if (planner == null) {
            throw new IllegalStateException(name + ": prepare(engine) fits the gates first");
        }
        return planner;
    }
}
