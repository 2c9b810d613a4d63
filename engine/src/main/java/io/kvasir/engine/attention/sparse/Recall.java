package io.kvasir.engine.attention.sparse;

import io.kvasir.engine.attention.PagedAttention;

/**
 * Attention recall of a sparse run against the dense one: per (row, head), {@code exp(lse_sparse − lse_full)} is the
 * share of the row's softmax mass the sparse keys hold; reported as the mean over the rows measured, with the
 * largest absolute output difference.
 */
public record Recall(double mean, double min, double maxAbsError) {

    /** Over the rows of query blocks {@code blocks} and every head in {@code headList}; layouts as {@link LayerAttention}. */
    public static Recall of(float[] denseLse, float[] sparseLse, float[] denseOut, float[] sparseOut,
                            int tokens, int heads, int headDim, int[] headList, int[] blocks) {
        double sum = 0, min = 1, err = 0;
        long count = 0;
        for (int block : blocks) {
            for (int row = block * PagedAttention.QUERY_BLOCK; row < Math.min(tokens, (block + 1) * PagedAttention.QUERY_BLOCK); row++) {
                for (int h : headList) {
                    double r = Math.min(1, Math.exp((double) sparseLse[row * heads + h] - denseLse[row * heads + h]));
                    sum += r;
                    min = Math.min(min, r);
                    count++;
                    int at = (row * heads + h) * headDim;
                    for (int d = 0; d < headDim; d++) {
                        err = Math.max(err, Math.abs(sparseOut[at + d] - denseOut[at + d]));
                    }
                }
            }
        }
        return new Recall(sum / count, min, err);
    }
}
