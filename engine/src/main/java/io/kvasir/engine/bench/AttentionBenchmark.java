package io.kvasir.engine.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.AttentionPlanner;
import io.kvasir.engine.attention.KeySpans;
import io.kvasir.engine.attention.PagedAttention;
import io.kvasir.engine.attention.sparse.LayerAttention;
import io.kvasir.engine.attention.sparse.PlantedAttention;
import io.kvasir.engine.attention.sparse.Recall;
import io.kvasir.engine.attention.sparse.S2Sharding;
import io.kvasir.engine.attention.sparse.SparseMethods;

import java.util.List;

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
 */
public final class AttentionBenchmark {

    static final int HEADS = 16, KV_HEADS = 4, HEAD_DIM = 64;
    static final int FULL_DENSE_BLOCKS = 128;
    static final int SAMPLED_BLOCKS = 64;
    private static final long SEED = 7;

    private AttentionBenchmark() {
    }

    public static ObjectNode run(int[] lengths, List<String> methods) {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("suite", "attention");
        root.put("threads", io.kvasir.engine.tensor.Parallel.threads());
        ArrayNode results = root.putArray("results");
        warmUp(methods);
        for (int tokens : lengths) {
            measure(tokens, methods, results);
        }
        return root;
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

    private static void measure(int tokens, List<String> methods, ArrayNode results) {
        System.err.printf("attention bench: %d tokens: generating planted inputs…%n", tokens);
        LayerAttention layer = LayerAttention.of(PlantedAttention.generate(tokens, HEADS, KV_HEADS, HEAD_DIM, SEED));
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
            AttentionPlanner planner = SparseMethods.planner(method);
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
