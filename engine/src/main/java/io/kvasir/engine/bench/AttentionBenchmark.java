package io.kvasir.engine.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.AttentionPlanner;
import io.kvasir.engine.attention.KeySpans;
import io.kvasir.engine.attention.PagedAttention;
import io.kvasir.engine.model.DualChunkAttentionConfig;
import io.kvasir.engine.attention.sparse.DualChunkLayer;
import io.kvasir.engine.attention.sparse.LayerAttention;
import io.kvasir.engine.attention.sparse.PlantedAttention;
import io.kvasir.engine.attention.sparse.Recall;
import io.kvasir.engine.attention.sparse.S2Sharding;
import io.kvasir.engine.attention.sparse.SeerAttention;
import io.kvasir.engine.attention.sparse.SeerSelection;
import io.kvasir.engine.attention.sparse.SparseMethods;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One attention layer (16 query heads, 4 KV heads, head dim 64) on planted-structure inputs, dense against each
 * sparse method at each length. A sparse method's time covers estimating its plan and running it over every head
 * and query block. Dense above {@link #FULL_DENSE_BLOCKS} query blocks is timed on {@link #SAMPLED_BLOCKS} evenly
 * spaced query blocks and scaled by blocks/sampled (a block's cost grows linearly with its position, so the
 * sample mean is the mean); recall and error are measured on those sampled rows for every method. Every time is the
 * best of a few runs, dense and sparse alike: the machine is shared, and the minimum is the least disturbed run.
 * Besides wall time each result has the process CPU time of that work ({@code cpu_ms}); {@code speedup_vs_dense} is
 * the CPU-time ratio, because on a machine other jobs also load, wall time mostly measures their load, while CPU
 * time measures this work ({@code speedup_wall} is the wall-time ratio).
 *
 * <p>{@code seer} uses a gate fitted first, by self-distillation on a separate planted prompt (reported under
 * {@code seer_gate}); {@code dca} runs dual-chunk attention on the same Q/K taken as pre-RoPE (see
 * {@link #measureDualChunk}; config under {@code dca_config}).
 */
public final class AttentionBenchmark {

    static final int HEADS = 16, KV_HEADS = 4, HEAD_DIM = 64;
    static final int FULL_DENSE_BLOCKS = 128;
    static final int SAMPLED_BLOCKS = 64;
    private static final long SEED = 7;
    static final int SEER_CALIBRATION_TOKENS = 4096, SEER_PROMPTS = 12, SEER_ROUNDS = 4, SEER_FIT_STEPS = 20;
    private static final long SEER_CALIBRATION_SEED = 11;    // seeds 11..22; the timed inputs use SEED
    /** RoPE base of the DCA rotations and of the Seer gate (Qwen2's). */
    static final double ROPE_THETA = 1_000_000;
    static final DualChunkAttentionConfig DCA = SparseMethods.benchDualChunk();

    private AttentionBenchmark() {
    }

    public static ObjectNode run(int[] lengths, List<String> methods) {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("suite", "attention");
        root.put("threads", io.kvasir.engine.tensor.Parallel.threads());
        ArrayNode results = root.putArray("results");
        List<String> planned = methods.stream().filter(m -> !m.equals(SparseMethods.SEER) && !m.equals(SparseMethods.DCA)).toList();
        warmUp(planned);
        Map<String, AttentionPlanner> planners = new HashMap<>();
        for (String m : planned) {
            planners.put(m, m.equals(SparseMethods.DENSE) ? null : SparseMethods.planner(m));
        }
        if (methods.contains(SparseMethods.SEER)) {
            planners.put(SparseMethods.SEER, fitSeer(root.putObject("seer_gate")));
        }
        if (methods.contains(SparseMethods.DCA)) {
            ObjectNode d = root.putObject("dca_config");
            d.put("chunk_size", DCA.chunkSize());
            d.put("local_size", DCA.localSize());
            d.put("original_max_position_embeddings", DCA.originalMaxPositionEmbeddings());
            d.put("sparse_attention_threshold", DCA.sparseAttentionThreshold());
            d.put("rope_theta", ROPE_THETA);
            d.put("sparse_pattern", SparseMethods.VERTICAL_SLASH);
        }
        for (int tokens : lengths) {
            measure(tokens, methods, planners, results);
        }
        return root;
    }

    /**
     * SeerAttention's gate fitted by self-distillation on {@link #SEER_PROMPTS} planted prompts of
     * {@link #SEER_CALIBRATION_TOKENS} tokens (seeds other than every timed input's), then used unchanged at every
     * length.
     */
    private static AttentionPlanner fitSeer(ObjectNode report) {
        System.err.printf("attention bench: fitting the SeerAttention gate on %d planted %d-token prompts…%n",
                SEER_PROMPTS, SEER_CALIBRATION_TOKENS);
        long t0 = System.nanoTime();
        double[] kl = new double[1];
        AttentionPlanner seer = SeerAttention.fitUnrotated(p -> LayerAttention.of(PlantedAttention.generate(
                        SEER_CALIBRATION_TOKENS, HEADS, KV_HEADS, HEAD_DIM, SEER_CALIBRATION_SEED + p)),
                SEER_PROMPTS, SEER_ROUNDS, SEER_FIT_STEPS, ROPE_THETA, SeerSelection.DEFAULT, kl);
        double seconds = (System.nanoTime() - t0) / 1e9;
        report.put("calibration_tokens", SEER_CALIBRATION_TOKENS);
        report.put("calibration_prompts", SEER_PROMPTS);
        report.put("calibration_seeds_from", SEER_CALIBRATION_SEED);
        report.put("rounds", SEER_ROUNDS);
        report.put("steps_per_prompt", SEER_FIT_STEPS);
        report.put("kl_after_fit", kl[0]);
        report.put("fit_seconds", seconds);
        report.put("selection", SeerSelection.DEFAULT.toString());
        System.err.printf("attention bench: Seer gate fitted in %.1f s, mean KL %.4f%n", seconds, kl[0]);
        return seer;
    }

    /** Compiles the kernel and estimators (C2) on a short prompt, so the first timed length is not charged for it. */
    private static void warmUp(List<String> methods) {
        LayerAttention layer = LayerAttention.of(PlantedAttention.generate(4096, HEADS, KV_HEADS, HEAD_DIM, SEED));
        float[] out = new float[4096 * HEADS * HEAD_DIM], lse = new float[4096 * HEADS];
        for (int i = 0; i < 2; i++) {
            for (String m : methods) {
                AttentionPlan plan = m.equals(SparseMethods.DENSE) ? AttentionPlan.dense(0)
                        : SparseMethods.planner(m).plan(0, layer.inputs());
                layer.run(plan, LayerAttention.range(HEADS), LayerAttention.range(layer.queryBlocks()), out, lse);
            }
        }
    }

    private static void measure(int tokens, List<String> methods, Map<String, AttentionPlanner> planners, ArrayNode results) {
        System.err.printf("attention bench: %d tokens: generating planted inputs…%n", tokens);
        PlantedAttention planted = PlantedAttention.generate(tokens, HEADS, KV_HEADS, HEAD_DIM, SEED);
        LayerAttention layer = LayerAttention.of(planted);
        int blocks = layer.queryBlocks();
        boolean scaled = blocks > FULL_DENSE_BLOCKS;
        int[] sampled = scaled ? evenlySpaced(blocks, SAMPLED_BLOCKS) : LayerAttention.range(blocks);
        int[] heads = LayerAttention.range(HEADS);
        float[] denseOut = new float[tokens * HEADS * HEAD_DIM], denseLse = new float[tokens * HEADS];
        int runs = tokens <= 32768 ? 3 : 2;
        double[] denseTimes = bestOf(runs, () -> layer.run(AttentionPlan.dense(0), heads, sampled, denseOut, denseLse));
        double denseMs = denseTimes[0] * blocks / sampled.length, denseCpuMs = denseTimes[1] * blocks / sampled.length;
        System.err.printf("attention bench: %d tokens: dense %.0f ms (cpu %.0f ms)%s%n", tokens, denseMs, denseCpuMs,
                scaled ? " (scaled)" : "");
        float[] out = new float[denseOut.length], lse = new float[denseLse.length];
        for (String method : methods) {
            ObjectNode r = results.addObject();
            r.put("method", method);
            r.put("tokens", tokens);
            r.put("heads", HEADS);
            r.put("kv_heads", KV_HEADS);
            r.put("head_dim", HEAD_DIM);
            if (method.equals(SparseMethods.DENSE)) {
                r.put("ms", denseMs);
                r.put("cpu_ms", denseCpuMs);
                r.put("speedup_vs_dense", 1.0);
                r.put("speedup_wall", 1.0);
                r.put("recall", 1.0);
                r.put("max_abs_err", 0.0);
                r.put("scaled", scaled);
                r.put("density", 1.0);
                r.put("runs", runs);
                continue;
            }
            if (method.equals(SparseMethods.DCA)) {
                measureDualChunk(planted, sampled, runs, denseMs, denseCpuMs, out, lse, r);
                continue;
            }
            AttentionPlanner planner = planners.get(method);
            AttentionPlan[] plan = new AttentionPlan[1];
            double estimateMs = bestOf(runs, () -> plan[0] = planner.plan(0, layer.inputs()))[0];
            double[] times = bestOf(runs, () -> {
                AttentionPlan p = planner.plan(0, layer.inputs());
                layer.run(p, heads, LayerAttention.range(blocks), out, lse);
            });
            Recall recall = Recall.of(denseLse, lse, denseOut, out, tokens, HEADS, HEAD_DIM, heads, sampled);
            double ms = times[0];
            r.put("ms", ms);
            r.put("cpu_ms", times[1]);
            r.put("estimate_ms", estimateMs);
            r.put("speedup_vs_dense", denseCpuMs / times[1]);
            r.put("speedup_wall", denseMs / ms);
            r.put("recall", recall.mean());
            r.put("recall_min", recall.min());
            r.put("max_abs_err", recall.maxAbsError());
            r.put("scaled", false);
            r.put("density", density(plan[0], tokens, sampled));
            if (planner instanceof S2Sharding s2) {
                r.put("kv_kept", keptShare(s2, tokens));
            }
            r.put("runs", runs);
            System.err.printf("attention bench: %d tokens: %s %.0f ms (cpu %.0f ms), %.1fx (wall %.1fx), recall %.4f%n",
                    tokens, method, ms, times[1], denseCpuMs / times[1], denseMs / ms, recall.mean());
        }
    }

    /**
     * Dual-chunk attention (config {@link #DCA}) on the same planted Q/K taken as pre-RoPE projections: timed over
     * every query block (vertical-slash plans above the sparse threshold, dense DCA below it); recall and error are
     * against dense dual-chunk attention on the sampled blocks — DCA computes its own function, not plain attention —
     * and the speed-up is against the plain dense layer of this length. {@code out} and {@code lse} are the caller's
     * scratch (the dual-chunk layer's three query rotations already take 3× the queries' memory: at 131072 tokens
     * the whole bench wants about 5 GB of heap).
     */
    private static void measureDualChunk(PlantedAttention planted, int[] sampled, int runs, double denseMs,
                                         double denseCpuMs, float[] out, float[] lse, ObjectNode r) {
        int tokens = planted.tokens();
        DualChunkLayer dca = DualChunkLayer.of(planted, DCA, ROPE_THETA);
        int[] heads = LayerAttention.range(HEADS), all = LayerAttention.range(dca.queryBlocks());
        float[] refOut = new float[tokens * HEADS * HEAD_DIM], refLse = new float[tokens * HEADS];
        double[] denseDca = bestOf(1, () -> dca.run(null, heads, sampled, refOut, refLse));
        AttentionPlanner planner = SparseMethods.planner(SparseMethods.VERTICAL_SLASH);
        AttentionPlan[] plan = new AttentionPlan[1];
        double[] times = bestOf(runs, () -> {
            plan[0] = dca.plan(planner);
            dca.run(plan[0], heads, all, out, lse);
        });
        Recall recall = Recall.of(refLse, lse, refOut, out, tokens, HEADS, HEAD_DIM, heads, sampled);
        r.put("ms", times[0]);
        r.put("cpu_ms", times[1]);
        r.put("speedup_vs_dense", denseCpuMs / times[1]);
        r.put("speedup_wall", denseMs / times[0]);
        r.put("recall", recall.mean());
        r.put("recall_min", recall.min());
        r.put("max_abs_err", recall.maxAbsError());
        r.put("scaled", false);
        r.put("sparse", plan[0] != null);
        r.put("density", plan[0] == null ? 1.0 : density(plan[0], tokens, sampled));
        r.put("dense_dca_cpu_ms", denseDca[1] * dca.queryBlocks() / sampled.length);
        r.put("runs", runs);
        System.err.printf("attention bench: %d tokens: dca (%s) %.0f ms (cpu %.0f ms), %.1fx (wall %.1fx), recall %.4f vs dense DCA%n",
                tokens, plan[0] == null ? "dense" : "vertical_slash", times[0], times[1], denseCpuMs / times[1],
                denseMs / times[0], recall.mean());
    }

    /** {wall, process CPU} milliseconds, each the least of {@code runs} runs. */
    private static double[] bestOf(int runs, Runnable work) {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        double[] best = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        for (int i = 0; i < runs; i++) {
            long c0 = os.getProcessCpuTime(), t0 = System.nanoTime();
            work.run();
            best[0] = Math.min(best[0], (System.nanoTime() - t0) / 1e6);
            best[1] = Math.min(best[1], (os.getProcessCpuTime() - c0) / 1e6);
        }
        return best;
    }

    /** Share of the causal keys the plan visits, over the sampled query blocks (counted at each block's last row). */
    private static double density(AttentionPlan plan, int tokens, int[] sampled) {
        double visited = 0, causal = 0;
        for (int h = 0; h < HEADS; h++) {
            for (int b : sampled) {
                int first = b * PagedAttention.QUERY_BLOCK, last = Math.min(tokens, first + PagedAttention.QUERY_BLOCK) - 1;
                KeySpans s = plan.spans(h, first, last);
                for (int i = 0; i < s.starts().length; i++) {
                    visited += Math.max(0, Math.min(last + 1, s.ends()[i]) - Math.max(0, s.starts()[i]));
                }
                for (int c : s.extraColumns()) {
                    visited += c <= last ? 1 : 0;
                }
                causal += last + 1;
            }
        }
        return visited / causal;
    }

    /** Share of this layer's KV blocks S2 must keep for later queries (the rest no head reads again). */
    private static double keptShare(S2Sharding s2, int tokens) {
        double kept = 0, all = 0;
        for (int g = 0; g < KV_HEADS; g++) {
            for (boolean b : s2.keptBlocks(1, g, HEADS, KV_HEADS, tokens)) {
                kept += b ? 1 : 0;
                all++;
            }
        }
        return kept / all;
    }

    /** {@code n} block indices spread evenly over [0, blocks), the last block included. */
    private static int[] evenlySpaced(int blocks, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = (int) ((long) (i + 1) * blocks / n) - 1;
        }
        return out;
    }
}
