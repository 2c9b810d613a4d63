package io.kvasir.engine.attention.sparse;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvasir.engine.attention.AttentionInputs;
import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.AttentionPlanner;
import io.kvasir.engine.attention.KeySpans;
import io.kvasir.engine.kv.KvCache;

/**
 * S2 head sharding (DKernel's local + vertical-stride block pattern): with 64-token blocks, query head {@code h}
 * reads the {@code localBlocks} blocks ending at its own block plus every block {@code b} with
 * {@code (b + 1 + offset(h)) mod vertStride == 0}, {@code offset(h) = h · max(1, vertStride / heads)} (0 for every
 * head when {@code homoHeads}), so together the heads cover the whole context. The first {@code denseHeads} heads and
 * every layer {@code l} with {@code l mod denseEveryNLayers == 0} (when that is > 0) stay dense.
 *
 * <p>Because a sharded head's vertical blocks are fixed, KV blocks no query head of a KV group will ever read again
 * (neither vertical for any of them nor inside the local window) need not be kept: {@link #keptBlocks}.
 */
public record S2Sharding(int localBlocks, int vertStride, boolean homoHeads, int denseHeads, int denseEveryNLayers)
        implements AttentionPlanner {

    public static final int DEFAULT_LOCAL_BLOCKS = 16;
    public static final int DEFAULT_VERT_STRIDE = 8;

    public S2Sharding {
        if (localBlocks < 1 || vertStride < 1) {
            throw new IllegalArgumentException("S2 needs local_blocks ≥ 1 and vert_stride ≥ 1");
        }
    }

    /**
     * From a model's config.json (Phi-3-small's keys): {@code blocksparse_block_size} (must be 64),
     * {@code blocksparse_num_local_blocks}, {@code blocksparse_vert_stride}, {@code blocksparse_homo_head_pattern},
     * {@code dense_attention_every_n_layers}, and {@code blocksparse_dense_heads}; null when the config has no
     * {@code blocksparse_vert_stride}.
     */
    public static S2Sharding fromModelConfig(JsonNode config) {
        if (!config.has("blocksparse_vert_stride")) {
            return null;
        }
        int blockSize = config.path("blocksparse_block_size").asInt(KvCache.BLOCK_TOKENS);
        if (blockSize != KvCache.BLOCK_TOKENS) {
            throw new IllegalArgumentException("blocksparse_block_size " + blockSize + ": only " + KvCache.BLOCK_TOKENS + " is supported");
        }
        return new S2Sharding(config.path("blocksparse_num_local_blocks").asInt(DEFAULT_LOCAL_BLOCKS),
                config.path("blocksparse_vert_stride").asInt(), config.path("blocksparse_homo_head_pattern").asBoolean(false),
                config.path("blocksparse_dense_heads").asInt(0), config.path("dense_attention_every_n_layers").asInt(0));
    }

    boolean isDense(int layer, int head) {
        return head < denseHeads || (denseEveryNLayers > 0 && layer % denseEveryNLayers == 0);
    }

    int offset(int head, int heads) {
        return homoHeads ? 0 : head * Math.max(1, vertStride / heads);
    }

    boolean isVertical(int block, int head, int heads) {
        return (block + 1 + offset(head, heads)) % vertStride == 0;
    }

    @Override
    public AttentionPlan plan(int layer, AttentionInputs in) {
        KeySpans[][] spans = new KeySpans[in.numHeads()][];
        for (int h = 0; h < in.numHeads(); h++) {
            int head = h;
            spans[h] = isDense(layer, h) ? null : HeadPattern.perBlock(in, (b, qb, first, last) -> {
                int lastBlock = last / KvCache.BLOCK_TOKENS;
                int localFrom = first / KvCache.BLOCK_TOKENS - localBlocks + 1;
                b.range(localFrom * KvCache.BLOCK_TOKENS, last + 1);
                for (int kb = 0; kb < Math.min(localFrom, lastBlock + 1); kb++) {
                    if (isVertical(kb, head, in.numHeads())) {
                        b.range(kb * KvCache.BLOCK_TOKENS, (kb + 1) * KvCache.BLOCK_TOKENS);
                    }
                }
            });
        }
        return new BlockPlan(in.firstPosition(), spans, in.window());
    }

    /**
     * The KV blocks of {@code kvHead} in {@code layer} that queries at positions ≥ {@code tokens} can still read, for a
     * sequence of {@code tokens} tokens: vertical blocks of any of the group's query heads, and the local window.
     */
    public boolean[] keptBlocks(int layer, int kvHead, int heads, int kvHeads, int tokens) {
        int blocks = AttentionInputs.keyBlocks(tokens);
        boolean[] kept = new boolean[blocks];
        int group = heads / kvHeads;
        int localFrom = tokens / KvCache.BLOCK_TOKENS - localBlocks + 1;     // the next query's window
        for (int kb = 0; kb < blocks; kb++) {
            kept[kb] = kb >= localFrom;
            for (int h = kvHead * group; h < (kvHead + 1) * group && !kept[kb]; h++) {
                kept[kb] = isDense(layer, h) || isVertical(kb, h, heads);
            }
        }
        return kept;
    }
}
