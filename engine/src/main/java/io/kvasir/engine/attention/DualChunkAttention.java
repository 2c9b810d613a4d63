package io.kvasir.engine.attention;

import io.kvasir.engine.kv.BlockTable;
import io.kvasir.engine.kv.KvLayerStorage;

/**
 * Dual-chunk attention (Qwen2.5-1M) on the shared kernel: a query row attends, with its intra-chunk rotation, to
 * the keys of its own L-chunk; with its successive rotation, to the previous L-chunk; with its inter rotation, to
 * all earlier keys; the three partial softmaxes merge exactly by their log-sum-exps. Query blocks are cut at L-chunk
 * boundaries so every piece has one set of regions.
 */
public final class DualChunkAttention {

    private final PagedAttention kernel;
    private final int numHeads;
    private final int headDim;
    private final int chunkLength;

    public DualChunkAttention(PagedAttention kernel, int numHeads, int headDim, int chunkLength) {
        this.kernel = kernel;
        this.numHeads = numHeads;
        this.headDim = headDim;
        this.chunkLength = chunkLength;
    }

    /**
     * Rows [rowStart, rowEnd) (one 64-row query block) of {@code head}: {@code queries} holds the intra, successive and
     * inter rotations (same layout as {@link PagedAttention#attend}); {@code sparse}, when not null, limits the keys
     * (its spans for the block, shared by the three regions, so the softmax ranks them jointly); {@code parts} and
     * {@code partLse} are three scratch outputs shaped like {@code out} and like the kernel's lse (chunk rows × heads).
     */
    public void attend(KvLayerStorage kv, BlockTable table, float[][] queries, int qOffset, int firstPosition, int head,
                       int rowStart, int rowEnd, AttentionPlan sparse, float[] out, float[][] parts, float[][] partLse) {
        KeySpans keys = sparse == null ? null : sparse.spans(head, firstPosition + rowStart, firstPosition + rowEnd - 1);
        int row = rowStart;
        while (row < rowEnd) {
            int position = firstPosition + row;
            int chunk = position / chunkLength;
            int pieceEnd = Math.min(rowEnd, (chunk + 1) * chunkLength - firstPosition);
            int own = chunk * chunkLength, previous = Math.max(0, own - chunkLength);
            AttentionPlan[] regions = {
                    (h, first, last) -> keys == null ? KeySpans.range(own, last + 1) : keys.within(own, last + 1),
                    (h, first, last) -> keys == null ? KeySpans.range(previous, own) : keys.within(previous, own),
                    (h, first, last) -> keys == null ? KeySpans.range(0, previous) : keys.within(0, previous)};
            for (int r = 0; r < 3; r++) {
                kernel.attend(kv, table, regions[r], 0, queries[r], qOffset, firstPosition, head, row, pieceEnd,
                        parts[r], qOffset, partLse[r]);
            }
            merge(qOffset, head, row, pieceEnd, out, parts, partLse);
            row = pieceEnd;
        }
    }

    private void merge(int offset, int head, int rowStart, int rowEnd, float[] out, float[][] parts, float[][] partLse) {
        for (int row = rowStart; row < rowEnd; row++) {
            int l = row * numHeads + head;
            double max = Math.max(partLse[0][l], Math.max(partLse[1][l], partLse[2][l]));
            double[] w = new double[3];
            double total = 0;
            for (int r = 0; r < 3; r++) {
                w[r] = partLse[r][l] == Float.NEGATIVE_INFINITY ? 0 : Math.exp(partLse[r][l] - max);
                total += w[r];
            }
            int at = offset + l * headDim;
            for (int d = 0; d < headDim; d++) {
                double v = 0;
                for (int r = 0; r < 3; r++) {
                    v += w[r] * parts[r][at + d];
                }
                out[at + d] = (float) (v / total);
            }
        }
    }
}
