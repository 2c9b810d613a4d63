package io.kvasir.engine.attention.sparse;

import io.kvasir.engine.attention.AttentionInputs;
import io.kvasir.engine.attention.KeySpans;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.TileRef;
import io.kvasir.engine.tensor.VectorOps;

/**
 * MInference's block-sparse pattern: Q mean-pooled over each 64-row query block of the chunk, K pooled over each
 * 64-token KV block; each query block keeps its {@code topBlocks} best-scoring causal key blocks, the sink block
 * (block 0) and the local diagonal (the blocks holding its own rows and the one before) counted in that budget,
 * which is raised to them when smaller.
 *
 * <p>Two block scores ({@link Score}). {@code MEAN} is MInference's: the pooled query against the mean key. A single
 * outstanding key (a vertical column, a needle) moves its block's mean by only 1/64 of its logit and drowns in the
 * spread of the other blocks' means (planted data: recall 0.74 at 128K with 100 blocks, 0.89 with 400). {@code BOUND}
 * (the default) keeps the per-channel max and min of the block's keys and scores the block by Quest's bound on its
 * largest logit, {@code Σ_d max(q̄_d·max_d, q̄_d·min_d)}: the same pooled query, the same single pass over K, but
 * one strong key lifts the bound by its full logit, so the block ranks where its softmax mass puts it.
 */
record BlockSparseEstimator(int topBlocks, Score score) implements HeadPattern {

    static final int DEFAULT_TOP_BLOCKS = 100;
    /** Key blocks before the query block's own that are always kept (with the sink block 0). */
    static final int LOCAL_BLOCKS = 1;

    enum Score { MEAN, BOUND }

    @Override
    public KeySpans[] plan(AttentionInputs in, int head) {
        int hd = in.headDim();
        int keyBlocks = AttentionInputs.keyBlocks(in.keyCount());
        PooledKeys keys = PooledKeys.of(in, in.kvHeadOf(head), keyBlocks, score == Score.BOUND);
        float[] pooledQuery = new float[hd], positive = new float[hd], negative = new float[hd];
        float[] blockScore = new float[keyBlocks];
        return HeadPattern.perBlock(in, (b, qb, first, last) -> {
            java.util.Arrays.fill(pooledQuery, 0f);
            int rowFrom = first - in.firstPosition(), rowTo = last - in.firstPosition() + 1;
            for (int r = rowFrom; r < rowTo; r++) {
                VectorOps.add(pooledQuery, 0, in.q(), in.queryAt(r, head), hd);
            }
            VectorOps.scale(pooledQuery, 0, hd, 1f / (rowTo - rowFrom));
            for (int d = 0; d < hd; d++) {
                positive[d] = Math.max(pooledQuery[d], 0f);
                negative[d] = Math.min(pooledQuery[d], 0f);
            }
            int causal = last / KvCache.BLOCK_TOKENS + 1;             // key blocks starting at or before the last row
            int local = first / KvCache.BLOCK_TOKENS - LOCAL_BLOCKS;
            int forced = 0;
            for (int kb = 0; kb < causal; kb++) {
                int at = kb * hd;
                boolean always = kb == 0 || kb >= local;
                forced += always ? 1 : 0;
                blockScore[kb] = always ? Float.POSITIVE_INFINITY
                        : score == Score.MEAN ? VectorOps.dot(pooledQuery, 0, keys.mean, at, hd)
                        : VectorOps.dot(positive, 0, keys.max, at, hd) + VectorOps.dot(negative, 0, keys.min, at, hd);
            }
            // A budget below the forced blocks is raised to them (as vertical-slash raises its budgets to its forced
            // lines): otherwise the sink could take the place of the query block's own diagonal block.
            for (int kb : TopK.indices(blockScore, causal, Math.max(topBlocks, forced))) {
                b.range(kb * KvCache.BLOCK_TOKENS, (kb + 1) * KvCache.BLOCK_TOKENS);
            }
        });
    }

    /** Per key block of one KV head, {@code [keyBlocks][headDim]}: the mean key, or the per-channel max and min. */
    private record PooledKeys(float[] mean, float[] max, float[] min) {

        static PooledKeys of(AttentionInputs in, int kvHead, int keyBlocks, boolean bounds) {
            int hd = in.headDim(), n = in.keyCount();
            float[] mean = bounds ? null : new float[keyBlocks * hd];
            float[] max = bounds ? new float[keyBlocks * hd] : null;
            float[] min = bounds ? new float[keyBlocks * hd] : null;
            float[] scratch = new float[KvCache.BLOCK_TOKENS * hd];
            TileRef keys = new TileRef();
            for (int kb = 0; kb < keyBlocks; kb++) {
                in.keys(kb, kvHead, scratch, keys);
                int count = Math.min(KvCache.BLOCK_TOKENS, n - kb * KvCache.BLOCK_TOKENS);
                if (!bounds) {
                    for (int j = 0; j < count; j++) {
                        VectorOps.add(mean, kb * hd, keys.array, keys.offset + j * hd, hd);
                    }
                    VectorOps.scale(mean, kb * hd, hd, 1f / count);
                    continue;
                }
                System.arraycopy(keys.array, keys.offset, max, kb * hd, hd);
                System.arraycopy(keys.array, keys.offset, min, kb * hd, hd);
                for (int j = 1; j < count; j++) {
                    int from = keys.offset + j * hd;
                    for (int d = 0; d < hd; d++) {
                        float x = keys.array[from + d];
                        max[kb * hd + d] = Math.max(max[kb * hd + d], x);
                        min[kb * hd + d] = Math.min(min[kb * hd + d], x);
                    }
                }
            }
            return new PooledKeys(mean, max, min);
        }
    }
}
