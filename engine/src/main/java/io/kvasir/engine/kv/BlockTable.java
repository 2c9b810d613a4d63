package io.kvasir.engine.kv;

import java.util.Arrays;

/**
 * One sequence's logical-to-physical block map and its length in tokens. Blocks may be shared with other
 * sequences (a common prefix); writing into a shared block first copies it (copy-on-write).
 */
public final class BlockTable {

    private final KvCache cache;
    private int[] blocks = new int[4];
    private int blockCount;
    private int tokens;

    public BlockTable(KvCache cache) {
        this.cache = cache;
    }

    public int tokens() {
        return tokens;
    }

    public int blockCount() {
        return blockCount;
    }

    public int physicalBlock(int logicalBlock) {
        return blocks[logicalBlock];
    }

    /** Whether another table (a fork, a cached prefix) also references this block. */
    public boolean shared(int logicalBlock) {
        return cache.pool().refCount(blocks[logicalBlock]) > 1;
    }

    /**
     * Makes room for positions [tokens, tokens + count) and returns the new length; allocates blocks as needed
     * and un-shares the partial last block before it is written. On a full pool nothing is changed.
     */
    public int append(int count) {
        int newTokens = tokens + count;
        int needed = (newTokens + KvCache.BLOCK_TOKENS - 1) / KvCache.BLOCK_TOKENS;
        boolean partialShared = tokens % KvCache.BLOCK_TOKENS != 0 && count > 0
                && cache.pool().refCount(blocks[blockCount - 1]) > 1;
        int fresh = needed - blockCount + (partialShared ? 1 : 0);
        if (fresh > cache.pool().freeBlocks()) {
            throw new KvCacheFullException(cache.pool().capacity());
        }
        if (partialShared) {
            int shared = blocks[blockCount - 1];
            int copy = cache.pool().allocate();
            cache.copyBlock(shared, copy);
            cache.pool().release(shared);
            blocks[blockCount - 1] = copy;
        }
        while (blockCount < needed) {
            if (blockCount == blocks.length) {
                blocks = Arrays.copyOf(blocks, blocks.length * 2);
            }
            blocks[blockCount++] = cache.pool().allocate();
        }
        tokens = newTokens;
        return tokens;
    }

    /** A new table sharing every block of this one (a forked sequence, or a request reusing a cached prefix). */
    public BlockTable fork() {
        BlockTable copy = new BlockTable(cache);
        copy.blocks = Arrays.copyOf(blocks, Math.max(4, blockCount));
        copy.blockCount = blockCount;
        copy.tokens = tokens;
        for (int i = 0; i < blockCount; i++) {
            cache.pool().retain(blocks[i]);
        }
        return copy;
    }

    /** Drops positions from {@code length} on (e.g. a rejected speculative tail), releasing emptied blocks. */
    public void truncate(int length) {
        if (length < 0 || length > tokens) {
            throw new IllegalArgumentException("cannot truncate " + tokens + " tokens to " + length);
        }
        int keep = (length + KvCache.BLOCK_TOKENS - 1) / KvCache.BLOCK_TOKENS;
        while (blockCount > keep) {
            cache.pool().release(blocks[--blockCount]);
        }
        tokens = length;
    }

    /** Releases every block; the table is empty afterwards. */
    public void release() {
        truncate(0);
    }
}
