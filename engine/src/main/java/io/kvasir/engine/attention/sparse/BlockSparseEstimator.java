package io.kvasir.engine.attention.sparse;

import io.kvasir.engine.attention.AttentionInputs;
import io.kvasir.engine.attention.KeySpans;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.TileRef;
import io.kvasir.engine.tensor.VectorOps;

/**
 * MInference's block-sparse pattern: Q mean-pooled over each 64-row query block of the chunk and K mean-pooled over
 * each 64-token KV block; each query block keeps its {@code topBlocks} best-scoring causal key blocks. The key blocks
 * holding the query block's own positions are always kept, so every row sees at least itself.
 */
record BlockSparseEstimator(int topBlocks) implements HeadPattern {

    static final int DEFAULT_TOP_BLOCKS = 100;

    @Override
    public KeySpans[] plan(AttentionInputs in, int head) {
        int hd = in.headDim();
        int keyBlocks = AttentionInputs.keyBlocks(in.keyCount());
        float[] pooledKeys = pooledKeys(in, in.kvHeadOf(head), keyBlocks);
        float[] pooledQuery = new float[hd];
        float[] blockScore = new float[keyBlocks];
        return HeadPattern.perBlock(in, (b, qb, first, last) -> {
            java.util.Arrays.fill(pooledQuery, 0f);
            int rowFrom = first - in.firstPosition(), rowTo = last - in.firstPosition() + 1;
            for (int r = rowFrom; r < rowTo; r++) {
                VectorOps.add(pooledQuery, 0, in.q(), in.queryAt(r, head), hd);
            }
            VectorOps.scale(pooledQuery, 0, hd, 1f / (rowTo - rowFrom));
            int causal = last / KvCache.BLOCK_TOKENS + 1;             // key blocks starting at or before the last row
            for (int kb = 0; kb < causal; kb++) {
                blockScore[kb] = kb >= first / KvCache.BLOCK_TOKENS
                        ? Float.POSITIVE_INFINITY
                        : VectorOps.dot(pooledQuery, 0, pooledKeys, kb * hd, hd);
            }
            for (int kb : TopK.indices(blockScore, causal, topBlocks)) {
                b.range(kb * KvCache.BLOCK_TOKENS, (kb + 1) * KvCache.BLOCK_TOKENS);
            }
        });
    }

    private static float[] pooledKeys(AttentionInputs in, int kvHead, int keyBlocks) {
        int hd = in.headDim(), n = in.keyCount();
        float[] pooled = new float[keyBlocks * hd];
        float[] scratch = new float[KvCache.BLOCK_TOKENS * hd];
        TileRef keys = new TileRef();
        for (int kb = 0; kb < keyBlocks; kb++) {
            in.keys(kb, kvHead, scratch, keys);
            int count = Math.min(KvCache.BLOCK_TOKENS, n - kb * KvCache.BLOCK_TOKENS);
            for (int j = 0; j < count; j++) {
                VectorOps.add(pooled, kb * hd, keys.array, keys.offset + j * hd, hd);
            }
            VectorOps.scale(pooled, kb * hd, hd, 1f / count);
        }
        return pooled;
    }
}
