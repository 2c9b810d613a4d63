package io.kvasir.engine.kv;

/**
 * Hands out physical KV block ids with reference counts, so sequences that share a prefix share its blocks.
 * Thread-safe; a block returns to the free list when its last reference is released.
 */
public final class BlockPool {

    private final int[] refCounts;
    private final int[] freeStack;
    private int freeCount;

    /** Told of each block whose last reference was released (still under the pool's lock). */
    private final java.util.function.IntConsumer onFree;

    public BlockPool(int capacity) {
        this(capacity, block -> { });
    }

    public BlockPool(int capacity, java.util.function.IntConsumer onFree) {
        this.onFree = onFree;
        if (capacity <= 0) {
            throw new IllegalArgumentException("KV pool needs at least one block, got " + capacity);
        }
        refCounts = new int[capacity];
        freeStack = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            freeStack[i] = capacity - 1 - i; // pop order 0, 1, 2, … keeps early allocations contiguous
        }
        freeCount = capacity;
    }

    public synchronized int allocate() {
        if (freeCount == 0) {
            throw new KvCacheFullException(refCounts.length);
        }
        int block = freeStack[--freeCount];
        refCounts[block] = 1;
        return block;
    }

    public synchronized void retain(int block) {
        checkLive(block);
        refCounts[block]++;
    }

    public synchronized void release(int block) {
        checkLive(block);
        if (--refCounts[block] == 0) {
            onFree.accept(block);
            freeStack[freeCount++] = block;
        }
    }

    public synchronized int refCount(int block) {
        return refCounts[block];
    }

    public synchronized int freeBlocks() {
        return freeCount;
    }

    public int capacity() {
        return refCounts.length;
    }

    private void checkLive(int block) {
        if (refCounts[block] <= 0) {
            throw new IllegalStateException("KV block " + block + " is not allocated");
        }
    }
}
