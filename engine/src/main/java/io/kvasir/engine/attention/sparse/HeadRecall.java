package io.kvasir.engine.attention.sparse;

import io.kvasir.engine.attention.AttentionInputs;
import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.KeySpans;
import io.kvasir.engine.attention.PagedAttention;

import java.util.Arrays;

/**
 * How well sparse patterns serve one query head of one chunk: the recall {@code exp(lse_sparse − lse_full)} averaged
 * over a few query blocks spread through the chunk (the last one included), and the share of causal keys the
 * pattern visits there. The dense log-sum-exp is computed once.
 */
final class HeadRecall {

    /** Recall and the share of causal keys visited. */
    record Measurement(double recall, double density) {
    }

    private final AttentionInputs in;
    private final int head;
    private final int[] blocks;
    private final PagedAttention kernel;
    private final float[] denseLse;
    private final float[] out;
    private final float[] allLse;

    HeadRecall(AttentionInputs in, int head, int sampleBlocks) {
        this.in = in;
        this.head = head;
        int total = in.queryBlocks();
        int n = Math.min(total, sampleBlocks);
        this.blocks = new int[n];
        Arrays.setAll(blocks, i -> (int) ((long) (i + 1) * total / n) - 1);
        this.kernel = new PagedAttention(in.numHeads(), in.numKvHeads(), in.headDim());
        this.out = new float[in.rows() * in.numHeads() * in.headDim()];
        this.allLse = new float[in.rows() * in.numHeads()];
        this.denseLse = lse(AttentionPlan.dense(in.window()));
    }

    Measurement measure(PatternSpec spec) {
        HeadPattern pattern = spec.pattern();
        if (pattern == null) {
            return new Measurement(1, 1);
        }
        KeySpans[][] spans = new KeySpans[in.numHeads()][];
        spans[head] = pattern.plan(in, head);
        AttentionPlan plan = new BlockPlan(in.firstPosition(), spans, in.window());
        float[] sparseLse = lse(plan);
        double recall = 0, visited = 0, causal = 0;
        int rows = 0;
        for (int b : blocks) {
            int first = in.firstPosition() + b * PagedAttention.QUERY_BLOCK;
            int last = Math.min(in.lastPosition(), first + PagedAttention.QUERY_BLOCK - 1);
            for (int r = first; r <= last; r++, rows++) {
                int row = r - in.firstPosition();
                recall += Math.min(1, Math.exp((double) sparseLse[row] - denseLse[row]));
            }
            KeySpans s = spans[head][b];
            for (int i = 0; i < s.starts().length; i++) {
                visited += Math.max(0, Math.min(last + 1, s.ends()[i]) - Math.max(0, s.starts()[i]));
            }
            for (int c : s.extraColumns()) {
                visited += c <= last ? 1 : 0;
            }
            causal += last + 1;
        }
        return new Measurement(recall / rows, visited / causal);
    }

    /** Per chunk row, the log-sum-exp of {@code head} under {@code plan} (sampled blocks only). */
    private float[] lse(AttentionPlan plan) {
        for (int b : blocks) {
            int rowStart = b * PagedAttention.QUERY_BLOCK;
            kernel.attend(in.kv(), in.table(), plan, in.window(), in.q(), in.qOffset(), in.firstPosition(), head,
                    rowStart, Math.min(in.rows(), rowStart + PagedAttention.QUERY_BLOCK), out, 0, allLse);
        }
        float[] mine = new float[in.rows()];
        for (int r = 0; r < in.rows(); r++) {
            mine[r] = allLse[r * in.numHeads() + head];
        }
        return mine;
    }
}
