package io.kvasir.engine.bench;

import io.kvasir.engine.attention.AttentionPlanner;
import io.kvasir.engine.attention.sparse.SeerAttention;
import io.kvasir.engine.attention.sparse.SeerGate;
import io.kvasir.engine.attention.sparse.SeerSelection;
import io.kvasir.engine.attention.sparse.SparseSearch;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.model.needle.NeedleTokens;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.LoadedModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * SeerAttention on the benchmark's model: gates from the model folder's {@value SeerAttention#FOLDER}/ when it has
 * them, else fitted once by self-distillation (the fit {@code sparse-search --seer} runs) on a retrieval calibration
 * prompt ({@link #calibration}) before anything is timed.
 *
 * <p>Why the calibration asks questions mid-prompt: only a question row attends anywhere in particular (filler rows
 * have zero queries and spread evenly), and a prompt that ends with its one question puts it in the last two query
 * blocks, which SeerAttention keeps dense; the gate would then learn only the even spread. Note the same rule makes
 * every benchmark answer dense: the question is the prompt's last token, so Seer's answers cannot be wrong here, and
 * whether its gates find a needle is measured with the question earlier in the prompt (NeedleBenchmarkTest).
 */
final class SeerPrefill implements PrefillMethod {

    /** 64 query blocks: room for a question per key in the second half; short enough that the fit takes seconds. */
    static final int CALIBRATION_TOKENS = 4096;
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
            int[] calibration = calibration(NeedleTokens.of(model.tokenizer()), CALIBRATION_TOKENS, CALIBRATION_SEED);
            long t0 = System.nanoTime();
            List<SeerGate> gates = SparseSearch.fitSeerGates(model.config(), model.weights(), calibration,
                    FIT_STEPS, FIT_LEARNING_RATE, System.err);
            System.err.printf("needle: fitted Seer gates on a %d-token needle prompt in %.1f s%n", CALIBRATION_TOKENS,
                    (System.nanoTime() - t0) / 1e9);
            return gates;
        }
    }

    /**
     * Filler with one needle per key (random values) in the first half, and a question for every key in the second
     * half, each in a query block of its own and none in the last two, so each question's block row of the pooled
     * attention map points at its needle's block.
     */
    static int[] calibration(NeedleTokens ids, int length, long seed) {
        int keys = ids.keys().length, block = KvCache.BLOCK_TOKENS, blocks = length / block;
        int firstQuestionBlock = blocks / 2, questionBlocks = blocks - 2 - firstQuestionBlock;
        if (questionBlocks < keys) {
            throw new IllegalArgumentException(length + " tokens leave " + questionBlocks + " query blocks for " + keys + " questions");
        }
        SplittableRandom random = new SplittableRandom(seed);
        int[] tokens = new int[length];
        for (int t = 0; t < length; t++) {
            tokens[t] = ids.filler()[t % ids.filler().length];
        }
        List<Integer> questionBlockOrder = new ArrayList<>();
        for (int b = 0; b < questionBlocks; b++) {
            questionBlockOrder.add(firstQuestionBlock + b);
        }
        Collections.shuffle(questionBlockOrder, new Random(random.nextLong()));
        for (int key = 0; key < keys; key++) {
            int at;
            do {
                at = random.nextInt(firstQuestionBlock * block);
            } while (tokens[at] != ids.filler()[at % ids.filler().length]);
            tokens[at] = ids.needles()[key][random.nextInt(ids.values().length)];
            tokens[questionBlockOrder.get(key) * block + random.nextInt(block)] = ids.keys()[key];
        }
        return tokens;
    }

    private final String name;
    private final SeerSelection selection;
    private final Gates gates;
    private AttentionPlanner planner;

    SeerPrefill(String name, SeerSelection selection, Gates gates) {
        this.name = name;
        this.selection = selection;
        this.gates = gates;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void prepare(InferenceEngine engine) {
        planner = new SeerAttention(gates.of(engine.model()), engine.model().config(), selection);
    }

    @Override
    public AttentionPlanner planner() {
        if (planner == null) {
            throw new IllegalStateException(name + ": prepare(engine) fits the gates first");
        }
        return planner;
    }
}
