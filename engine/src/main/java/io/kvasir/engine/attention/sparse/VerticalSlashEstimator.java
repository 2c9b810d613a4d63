package io.kvasir.engine.attention.sparse;

import io.kvasir.engine.attention.AttentionInputs;
import io.kvasir.engine.attention.KeySpans;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.TileRef;
import io.kvasir.engine.tensor.VectorOps;

/**
 * MInference's vertical-slash pattern, estimated per chunk from its own last 64 queries: Â = softmax(Q[-64:]·Kᵀ/√d)
 * (causal in the 64×64 corner); column sums of Â rank vertical lines (keys every row reads), sums along diagonals
 * rank slash lines (keys at a fixed distance behind each row). The first 30 columns and the 100 nearest diagonals
 * are always kept; budgets below 30 / 50 are raised to them. Each query block then visits, per kept diagonal, the
 * 64-wide key range that diagonal crosses, and each kept column outside those ranges.
 */
record VerticalSlashEstimator(int verticals, int slashes) implements HeadPattern {

    static final int DEFAULT_VERTICALS = 1000;
    static final int DEFAULT_SLASHES = 256;
    static final int LAST_QUERIES = 64;
    static final int FORCED_COLUMNS = 30;
    static final int FORCED_DIAGONALS = 100;
    static final int MIN_VERTICALS = 30;
    static final int MIN_SLASHES = 50;

    @Override
    public KeySpans[] plan(AttentionInputs in, int head) {
        int n = in.keyCount();
        float[] columnScore = new float[n];
        float[] diagonalScore = new float[n];
        lastQueryAttention(in, head, columnScore, diagonalScore);
        for (int c = 0; c < Math.min(FORCED_COLUMNS, n); c++) {
            columnScore[c] = Float.POSITIVE_INFINITY;
        }
        for (int o = 0; o < Math.min(FORCED_DIAGONALS, n); o++) {
            diagonalScore[o] = Float.POSITIVE_INFINITY;
        }
        int[] columns = TopK.indices(columnScore, n, Math.max(verticals, MIN_VERTICALS));
        int[] offsets = TopK.indices(diagonalScore, n, Math.max(slashes, MIN_SLASHES));
        return HeadPattern.perBlock(in, (b, qb, first, last) -> {
            for (int o : offsets) {
                if (o > last) {
                    break;
                }
                b.range(first - o, last - o + 1);
            }
            for (int c : columns) {
                if (c > last) {
                    break;
                }
                b.column(c);
            }
        });
    }

    /** Accumulates Â's column sums (by key position) and diagonal sums (by distance row − key). */
    private static void lastQueryAttention(AttentionInputs in, int head, float[] columnScore, float[] diagonalScore) {
        int n = in.keyCount(), hd = in.headDim();
        int lastQ = Math.min(LAST_QUERIES, in.rows());
        int firstRow = in.rows() - lastQ;
        float scale = (float) (1.0 / Math.sqrt(hd));
        float[][] rows = new float[lastQ][];
        int kvHead = in.kvHeadOf(head);
        float[] scratch = new float[KvCache.BLOCK_TOKENS * hd];
        TileRef keys = new TileRef();
        for (int r = 0; r < lastQ; r++) {
            rows[r] = new float[in.firstPosition() + firstRow + r + 1];
        }
        for (int block = 0; block < AttentionInputs.keyBlocks(n); block++) {
            in.keys(block, kvHead, scratch, keys);
            int base = block * KvCache.BLOCK_TOKENS;
            int count = Math.min(KvCache.BLOCK_TOKENS, n - base);
            for (int r = 0; r < lastQ; r++) {
                int qAt = in.queryAt(firstRow + r, head);
                int visible = Math.min(count, rows[r].length - base);
                for (int j = 0; j < visible; j++) {
                    rows[r][base + j] = scale * VectorOps.dot(in.q(), qAt, keys.array, keys.offset + j * hd, hd);
                }
            }
        }
        for (int r = 0; r < lastQ; r++) {
            float[] a = rows[r];
            VectorOps.softmaxInPlace(a, 0, a.length);
            int position = a.length - 1;
            for (int j = 0; j < a.length; j++) {
                columnScore[j] += a[j];
                diagonalScore[position - j] += a[j];
            }
        }
    }
}
