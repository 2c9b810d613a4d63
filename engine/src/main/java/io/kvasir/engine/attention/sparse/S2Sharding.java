package io.kvasir.engine.attention.sparse;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvasir.engine.attention.AttentionInputs;
import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.AttentionPlanner;
import io.kvasir.engine.attention.KeySpans;
import io.kvasir.engine.kv.HeadBlockStorage;
import io.kvasir.engine.kv.KvCache;

/**
 * S2 head sharding (DKernel's local + vertical-stride block pattern): with 64-token blocks, query head {@code h}
 * reads the {@code localBlocks} blocks ending at its own block plus every block {@code b} with
 * {@code (b + 1 + offset(h)) mod vertStride == 0}, {@code offset(h) = h · max(1, vertStride / heads)} (0 for every
 * head when {@code homoHeads}), so together the heads cover the whole context. The first {@code denseHeads} heads and
 * every layer {@code l} with {@code l mod denseEveryNLayers == 0} (when that is > 0) stay dense.
 *
 * <p>Because a sharded head's vertical blocks are fixed, KV blocks no query head of a KV group will ever read again
 * (neither vertical for any of them nor inside the local window) need not be kept: {@link #keptBlocks}; with a cache
 * that keeps the layer per KV head, {@link #plan} releases them.
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

    /** Whether some head of {@code layer} is sharded (else the layer is dense and keeps all its KV). */
    public boolean shardsLayer(int layer, int heads) {
        for (int h = 0; h < heads; h++) {
            if (!isDense(layer, h)) {
                return true;
            }
        }
        return false;
    }

    /** Whether some query head of {@code kvHead}'s group reads {@code block} outside its local window. */
    private boolean readsBeyondWindow(int layer, int kvHead, int block, int heads, int kvHeads) {
        int group = heads / kvHeads;
        for (int h = kvHead * group; h < (kvHead + 1) * group; h++) {
            if (isDense(layer, h) || isVertical(block, h, heads)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Plans the chunk and, when the cache keeps this layer per KV head ({@link HeadBlockStorage}), first releases the
     * heads' blocks that neither this chunk's rows nor any later query will read: blocks below the local window of the
     * chunk's first row that no query head of the KV group reads as a vertical block. Blocks another table shares are
     * left alone (a shorter sequence may still read them in its window).
     */
    @Override
    public AttentionPlan plan(int layer, AttentionInputs in) {
        if (in.kv() instanceof HeadBlockStorage heads) {
            release(layer, in, heads);
        }
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

    private void release(int layer, AttentionInputs in, HeadBlockStorage heads) {
        int windowFrom = in.firstPosition() / KvCache.BLOCK_TOKENS - localBlocks + 1;
        for (int kb = 0; kb < windowFrom; kb++) {
            if (in.table().shared(kb)) {
                continue;
            }
            for (int g = 0; g < in.numKvHeads(); g++) {
                if (!readsBeyondWindow(layer, g, kb, in.numHeads(), in.numKvHeads())) {
                    heads.release(in.table().physicalBlock(kb), g);
                }
            }
        }
    }

    /**
     * The KV blocks of {@code kvHead} in {@code layer} that queries at positions ≥ {@code tokens} can still read, for a
     * sequence of {@code tokens} tokens: vertical blocks of any of the group's query heads, and the local window.
     */
    public boolean[] keptBlocks(int layer, int kvHead, int heads, int kvHeads, int tokens) {
        int blocks = AttentionInputs.keyBlocks(tokens);
        boolean[] kept = new boolean[blocks];
        int localFrom = tokens / KvCache.BLOCK_TOKENS - localBlocks + 1;     // the next query's window
        for (int kb = 0; kb < blocks; kb++) {
            kept[kb] = kb >= localFrom || readsBeyondWindow(layer, kvHead, kb, heads, kvHeads);
        }
        return kept;
    }
}
