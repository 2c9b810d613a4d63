package io.kvasir.engine.attention;

import io.kvasir.engine.kv.BlockTable;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.KvLayerStorage;
import io.kvasir.engine.kv.TileRef;

/**
 * What a planner may look at for one chunk of one layer: the chunk's queries after RoPE ({@code rows × numHeads ×
 * headDim} from {@code qOffset}, row 0 at position {@code firstPosition}) and every key of the sequence up to the
 * chunk's last row, in the paged cache. Under dual-chunk attention {@code q} holds the intra-chunk rotation and
 * {@code dualChunkQueries} the successive and inter rotations (same layout), for keys one and ≥ 2 L-chunks behind.
 */
public record AttentionInputs(KvLayerStorage kv, BlockTable table, float[] q, int qOffset, int rows, int firstPosition,
                              int numHeads, int numKvHeads, int headDim, int window, float[][] dualChunkQueries,
                              int dualChunkLength) {

    public AttentionInputs(KvLayerStorage kv, BlockTable table, float[] q, int qOffset, int rows, int firstPosition,
                           int numHeads, int numKvHeads, int headDim, int window) {
        this(kv, table, q, qOffset, rows, firstPosition, numHeads, numKvHeads, headDim, window, null, 0);
    }

    public int lastPosition() {
        return firstPosition + rows - 1;
    }

    /** Keys visible to the last row: positions [0, keyCount). */
    public int keyCount() {
        return lastPosition() + 1;
    }

    public int kvHeadOf(int head) {
        return head / (numHeads / numKvHeads);
    }

    /** Offset in {@link #q} of query row {@code row} (chunk-relative) of {@code head}. */
    public int queryAt(int row, int head) {
        return qOffset + (row * numHeads + head) * headDim;
    }

    /** Points {@code ref} at the {@code [64][headDim]} keys of logical block {@code block} of {@code kvHead}. */
    public void keys(int block, int kvHead, float[] scratch, TileRef ref) {
        kv.keys(table.physicalBlock(block), kvHead, scratch, ref);
    }

    /** Query blocks of this chunk: 64-row groups from row 0, the last one possibly shorter. */
    public int queryBlocks() {
        return (rows + PagedAttention.QUERY_BLOCK - 1) / PagedAttention.QUERY_BLOCK;
    }

    public static int keyBlocks(int keyCount) {
        return (keyCount + KvCache.BLOCK_TOKENS - 1) / KvCache.BLOCK_TOKENS;
    }
}
