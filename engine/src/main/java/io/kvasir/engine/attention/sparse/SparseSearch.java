package io.kvasir.engine.attention.sparse;

import io.kvasir.engine.attention.AttentionInputs;
import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.AttentionPlanner;
import io.kvasir.engine.kv.BlockTable;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.KvPrecision;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.ModelWeights;
import io.kvasir.engine.model.SequenceChunk;
import io.kvasir.engine.model.Transformer;
import io.kvasir.engine.tensor.Parallel;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Offline pattern search (MInference's, with Qwen2.5-1M's refinement): a calibration prompt runs through the model
 * densely as one chunk; at each layer, on that layer's real queries and keys, every head scores each candidate
 * pattern by attention recall. The cheapest candidate (fewest keys visited) that reaches the target recall wins;
 * if none does, the best-recall one is refined — its budgets raised until it does.
 */
public final class SparseSearch {

    /** Query blocks per head on which recall is measured. */
    public static final int DEFAULT_SAMPLE_BLOCKS = 16;

    private SparseSearch() {
    }

    /** MInference-style candidates at their default budgets. */
    public static List<PatternSpec> defaultCandidates() {
        return List.of(SparseMethods.defaults(SparseMethods.VERTICAL_SLASH), PatternSpec.verticalSlash(100, 1024),
                SparseMethods.defaults(SparseMethods.A_SHAPE), SparseMethods.defaults(SparseMethods.BLOCK_SPARSE));
    }

    public static SparseAttentionConfig run(ModelConfig config, ModelWeights weights, int[] prompt, List<PatternSpec> candidates,
                                            double targetRecall, int sampleBlocks, PrintStream progress) {
        List<Map<Integer, PatternSpec>> layers = new ArrayList<>();
        AttentionPlanner recorder = (layer, in) -> {
            long t0 = System.nanoTime();
            layers.add(searchLayer(in, candidates, targetRecall, sampleBlocks));
            double mean = layers.getLast().values().stream().mapToDouble(PatternSpec::score).average().orElse(1);
            progress.printf("sparse-search: layer %d/%d done in %.1f s, mean recall %.4f%n", layer + 1, config.numLayers(),
                    (System.nanoTime() - t0) / 1e9, mean);
            return null;                                            // dense: later layers see exact activations
        };
        KvCache cache = new KvCache(config.numLayers(), config.numKvHeads(), config.headDim(),
                AttentionInputs.keyBlocks(prompt.length), KvPrecision.F32);
        BlockTable table = new BlockTable(cache);
        try {
            new Transformer(config, weights, cache, recorder).forward(List.of(new SequenceChunk(table, prompt, false, null)));
        } finally {
            table.release();
        }
        return new SparseAttentionConfig(layers, SparseMethods.defaults(SparseMethods.VERTICAL_SLASH));
    }

    /**
     * SeerAttention gates for every layer, fitted by self-distillation on the calibration prompt's own activations
     * (the model runs densely and stays frozen): {@code steps} Adam steps per head.
     */
    public static List<SeerGate> fitSeerGates(ModelConfig config, ModelWeights weights, int[] prompt, int steps,
                                              double learningRate, PrintStream progress) {
        return fitSeerGates(config, weights, List.of(prompt), 1, steps, learningRate, progress);
    }

    /**
     * As {@link #fitSeerGates(ModelConfig, ModelWeights, int[], int, double, PrintStream)} over several prompts:
     * {@code rounds} passes over {@code prompts}, {@code steps} Adam steps per head on each, the gates carried from
     * one to the next. A gate fitted on a single prompt can learn that prompt's blocks rather than what makes a
     * block matter (see {@link SeerAttention#fitUnrotated}).
     */
    public static List<SeerGate> fitSeerGates(ModelConfig config, ModelWeights weights, List<int[]> prompts, int rounds,
                                              int steps, double learningRate, PrintStream progress) {
        List<SeerGate> gates = new ArrayList<>();
        io.kvasir.engine.model.RotaryEmbedding modelRope = new io.kvasir.engine.model.RotaryEmbedding(config);
        io.kvasir.engine.model.RotaryEmbedding gateRope = SeerAttention.gateRope(config);
        for (int round = 0; round < rounds; round++) {
            for (int p = 0; p < prompts.size(); p++) {
                String pass = prompts.size() * rounds > 1 ? String.format(" (prompt %d/%d, round %d/%d)", p + 1,
                        prompts.size(), round + 1, rounds) : "";
                AttentionPlanner recorder = (layer, in) -> {
                    if (gates.size() == layer) {
                        gates.add(SeerGateFit.initial(config.numHeads(), config.headDim(), layer));
                    }
                    SeerGate gate = gates.get(layer);
                    double[] loss = new double[config.numHeads()];
                    Parallel.forEach(config.numHeads(), h -> loss[h] = SeerGateFit.fit(gate, in, h, modelRope, gateRope, steps, learningRate));
                    progress.printf("sparse-search --seer: layer %d/%d%s, mean KL to the pooled attention map %.4f%n",
                            layer + 1, config.numLayers(), pass, java.util.Arrays.stream(loss).average().orElse(0));
                    return null;
                };
                int[] prompt = prompts.get(p);
                KvCache cache = new KvCache(config.numLayers(), config.numKvHeads(), config.headDim(),
                        AttentionInputs.keyBlocks(prompt.length), KvPrecision.F32);
                BlockTable table = new BlockTable(cache);
                try {
                    new Transformer(config, weights, cache, recorder).forward(List.of(new SequenceChunk(table, prompt, false, null)));
                } finally {
                    table.release();
                }
            }
        }
        return gates;
    }

    /** Each head's pattern for one layer's inputs. */
    static Map<Integer, PatternSpec> searchLayer(AttentionInputs in, List<PatternSpec> candidates, double target, int sampleBlocks) {
        PatternSpec[] chosen = new PatternSpec[in.numHeads()];
        Parallel.forEach(in.numHeads(), h -> chosen[h] = searchHead(new HeadRecall(in, h, sampleBlocks), candidates, target).pattern());
        Map<Integer, PatternSpec> out = new HashMap<>();
        for (int h = 0; h < chosen.length; h++) {
            out.put(h, chosen[h]);
        }
        return out;
    }

    static BudgetRefiner.Result searchHead(HeadRecall head, List<PatternSpec> candidates, double target) {
        PatternSpec best = null, cheapest = null;
        HeadRecall.Measurement bestM = null, cheapestM = null;
        for (PatternSpec c : candidates) {
            HeadRecall.Measurement m = head.measure(c);
            if (bestM == null || m.recall() > bestM.recall()) {
                best = c;
                bestM = m;
            }
            if (m.recall() >= target && (cheapestM == null || m.density() < cheapestM.density())) {
                cheapest = c;
                cheapestM = m;
            }
        }
        if (cheapest != null) {
            return new BudgetRefiner.Result(cheapest.with(cheapest.vertical(), cheapest.slash(), cheapestM.recall()), cheapestM, 0);
        }
        return BudgetRefiner.refine(best, head, target);
    }
}
