package io.kvasir.engine.attention;

import io.kvasir.engine.kv.BlockTable;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.KvLayerStorage;
import io.kvasir.engine.kv.TileRef;
import io.kvasir.engine.tensor.VectorOps;

/**
 * The one attention kernel: tiled online softmax ("flash" attention) over 64-token paged KV blocks, with GQA,
 * the causal mask, an optional sliding window, executing an {@link AttentionPlan}. One call computes one query
 * head for up to 64 consecutive query rows of one sequence, so callers parallelize over (sequence, head, block).
 */
public final class PagedAttention {

    public static final int QUERY_BLOCK = KvCache.BLOCK_TOKENS;

    private final int numHeads;
    private final int headDim;
    private final int groupSize;
    private final float scale;
    private final ThreadLocal<Scratch> scratch;

    public PagedAttention(int numHeads, int numKvHeads, int headDim) {
        this.numHeads = numHeads;
        this.headDim = headDim;
        this.groupSize = numHeads / numKvHeads;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(headDim));
    }

    /**
     * Attention of query head {@code head} for rows {@code [rowStart, rowEnd)} (at most {@link #QUERY_BLOCK}) of
     * {@code q} ({@code rows × numHeads × headDim} from {@code qOffset}), whose row 0 sits at position
     * {@code firstPosition}; writes into {@code out} in the same layout. {@code lse}, when not null, receives each
     * row's log-sum-exp of scaled scores at {@code lse[row * numHeads + head]} (for sparse-attention recall).
     */
    public void attend(KvLayerStorage kv, BlockTable table, AttentionPlan plan, int window,
                       float[] q, int qOffset, int firstPosition, int head, int rowStart, int rowEnd,
                       float[] out, int outOffset, float[] lse) {
        int rows = rowEnd - rowStart;
        if (rows <= 0 || rows > QUERY_BLOCK) {
            throw new IllegalArgumentException("query block of " + rows + " rows");
        }
        Scratch s = scratch.get();
        s.reset(rows);
        int kvHead = head / groupSize;
        int firstPos = firstPosition + rowStart;
        int lastPos = firstPosition + rowEnd - 1;
        KeySpans spans = plan.spans(head, firstPos, lastPos);
        for (int i = 0; i < spans.starts().length; i++) {
            int start = Math.max(0, spans.starts()[i]);
            int end = Math.min(spans.ends()[i], lastPos + 1);
            for (int blockStart = start - start % KvCache.BLOCK_TOKENS; blockStart < end; blockStart += KvCache.BLOCK_TOKENS) {
                int logical = blockStart / KvCache.BLOCK_TOKENS;
                int from = Math.max(start, blockStart);
                int to = Math.min(end, blockStart + KvCache.BLOCK_TOKENS);
                visitTile(kv, table.physicalBlock(logical), kvHead, blockStart, from, to, window,
                        q, qOffset, head, rowStart, rows, firstPos, s);
            }
        }
        for (int column : spans.extraColumns()) {
            if (column <= lastPos) {
                int blockStart = column - column % KvCache.BLOCK_TOKENS;
                visitTile(kv, table.physicalBlock(column / KvCache.BLOCK_TOKENS), kvHead, blockStart, column, column + 1,
                        window, q, qOffset, head, rowStart, rows, firstPos, s);
            }
        }
        for (int r = 0; r < rows; r++) {
            int o = outOffset + ((rowStart + r) * numHeads + head) * headDim;
            float inv = s.sum[r] > 0 ? 1f / s.sum[r] : 0f;
            System.arraycopy(s.acc, r * headDim, out, o, headDim);
            VectorOps.scale(out, o, headDim, inv);
            if (lse != null) {
                lse[(rowStart + r) * numHeads + head] = s.sum[r] > 0 ? (float) (s.max[r] + Math.log(s.sum[r])) : Float.NEGATIVE_INFINITY;
            }
        }
    }

    /** Keys at positions [from, to) of the block starting at {@code blockStart}, for every row of the query block. */
    private void visitTile(KvLayerStorage kv, int physicalBlock, int kvHead, int blockStart, int from, int to, int window,
                           float[] q, int qOffset, int head, int rowStart, int rows, int firstPos, Scratch s) {
        kv.keys(physicalBlock, kvHead, s.keyTile, s.keys);
        boolean valuesLoaded = false;
        for (int r = 0; r < rows; r++) {
            int pos = firstPos + r;
            int hi = Math.min(to, pos + 1);                                    // causal
            int lo = window > 0 ? Math.max(from, pos - window + 1) : from;      // sliding window
            if (lo >= hi) {
                continue;
            }
            if (!valuesLoaded) {
                kv.values(physicalBlock, kvHead, s.valueTile, s.values);
                valuesLoaded = true;
            }
            int qAt = qOffset + ((rowStart + r) * numHeads + head) * headDim;
            float tileMax = Float.NEGATIVE_INFINITY;
            for (int j = lo; j < hi; j++) {
                float score = scale * VectorOps.dot(q, qAt, s.keys.array, s.keys.offset + (j - blockStart) * headDim, headDim);
                s.scores[j - lo] = score;
                tileMax = Math.max(tileMax, score);
            }
            float newMax = Math.max(s.max[r], tileMax);
            if (newMax > s.max[r] && s.sum[r] > 0) {
                float correction = (float) Math.exp(s.max[r] - newMax);
                s.sum[r] *= correction;
                VectorOps.scale(s.acc, r * headDim, headDim, correction);
            }
            s.max[r] = newMax;
            float sum = 0;
            for (int j = lo; j < hi; j++) {
                float p = (float) Math.exp(s.scores[j - lo] - newMax);
                sum += p;
                VectorOps.axpy(p, s.values.array, s.values.offset + (j - blockStart) * headDim, s.acc, r * headDim, headDim);
            }
            s.sum[r] += sum;
        }
    }

    /** Per-thread working memory for one query block. */
    private static final class Scratch {
        final float[] max = new float[QUERY_BLOCK];
        final float[] sum = new float[QUERY_BLOCK];
        final float[] scores = new float[KvCache.BLOCK_TOKENS];
        final float[] acc;
        final float[] keyTile;
        final float[] valueTile;
        final TileRef keys = new TileRef();
        final TileRef values = new TileRef();

        Scratch(int headDim) {
            acc = new float[QUERY_BLOCK * headDim];
            keyTile = new float[KvCache.BLOCK_TOKENS * headDim];
            valueTile = new float[KvCache.BLOCK_TOKENS * headDim];
        }

        void reset(int rows) {
            java.util.Arrays.fill(max, 0, rows, Float.NEGATIVE_INFINITY);
            java.util.Arrays.fill(sum, 0, rows, 0f);
            java.util.Arrays.fill(acc, 0, rows * acc.length / QUERY_BLOCK, 0f);
        }
    }
}
