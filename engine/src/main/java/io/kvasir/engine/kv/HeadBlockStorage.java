package io.kvasir.engine.kv;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Keys and values of one layer held per (block, KV head) rather than per block: a head's share of a block takes
 * memory from its first write until {@link #release}, so a layer whose attention never reads some heads' blocks again
 * (S2 head sharding) stops keeping them. Memory grows in pages of {@link #PAGE_SLOTS} head-blocks as writes need them
 * and released head-blocks are reused first, so what the layer holds is what it keeps, never more than a per-block
 * layer would. Reading a released head-block is an error, not a silent zero.
 *
 * <p>Writes, releases and page growth happen between attention passes (the Transformer stores a chunk's KV, then
 * plans, then attends), so readers see a settled map; the mutators are synchronized against each other.
 */
public final class HeadBlockStorage implements KvLayerStorage {

    static final int PAGE_SLOTS = 64;
    private static final int NONE = -1;

    private final KvPrecision precision;
    private final int numKvHeads;
    private final int headDim;
    /** Slot of (block, head) at {@code block · numKvHeads + head}, or {@link #NONE}. */
    private final int[] slotOf;
    private volatile KvLayerStorage[] pages = new KvLayerStorage[0];
    private int[] freeSlots = new int[0];
    private int freeCount;
    private int held;

    HeadBlockStorage(int numBlocks, int numKvHeads, int headDim, KvPrecision precision) {
        this.precision = precision;
        this.numKvHeads = numKvHeads;
        this.headDim = headDim;
        this.slotOf = new int[numBlocks * numKvHeads];
        Arrays.fill(slotOf, NONE);
    }

    /** Head-blocks holding K/V now. */
    public synchronized int heldHeadBlocks() {
        return held;
    }

    /** Head-blocks memory is allocated for (held plus free for reuse). */
    public synchronized int allocatedHeadBlocks() {
        return pages.length * PAGE_SLOTS;
    }

    public synchronized boolean holds(int block, int kvHead) {
        return slotOf[block * numKvHeads + kvHead] != NONE;
    }

    /** Stops keeping {@code kvHead}'s share of {@code block}; its memory serves the next write. No-op if not held. */
    public synchronized void release(int block, int kvHead) {
        int at = block * numKvHeads + kvHead;
        if (slotOf[at] != NONE) {
            freeSlots[freeCount++] = slotOf[at];
            slotOf[at] = NONE;
            held--;
        }
    }

    /** Releases every head of {@code block} (the block went back to the pool). */
    synchronized void releaseBlock(int block) {
        for (int h = 0; h < numKvHeads; h++) {
            release(block, h);
        }
    }

    private synchronized int slotForWrite(int block, int kvHead) {
        int at = block * numKvHeads + kvHead;
        if (slotOf[at] == NONE) {
            if (freeCount == 0) {
                grow();
            }
            slotOf[at] = freeSlots[--freeCount];
            held++;
        }
        return slotOf[at];
    }

    private void grow() {
        KvLayerStorage[] more = Arrays.copyOf(pages, pages.length + 1);
        int elements = PAGE_SLOTS * KvCache.BLOCK_TOKENS * headDim;
        more[pages.length] = precision == KvPrecision.F32
                ? new F32LayerStorage(elements, 1, headDim)
                : new Bf16LayerStorage(elements, 1, headDim);
        int first = pages.length * PAGE_SLOTS;
        freeSlots = Arrays.copyOf(freeSlots, more.length * PAGE_SLOTS);
        for (int s = PAGE_SLOTS - 1; s >= 0; s--) {
            freeSlots[freeCount++] = first + s;
        }
        pages = more;
    }

    private int heldSlot(int block, int kvHead) {
        int slot = slotOf[block * numKvHeads + kvHead];
        if (slot == NONE) {
            throw new IllegalStateException("KV head " + kvHead + " of block " + block + " was released (or never written)");
        }
        return slot;
    }

    @Override
    public void write(int block, int slot, int kvHead, float[] k, int kOffset, float[] v, int vOffset) {
        int s = slotForWrite(block, kvHead);
        pages[s / PAGE_SLOTS].write(s % PAGE_SLOTS, slot, 0, k, kOffset, v, vOffset);
    }

    @Override
    public void keys(int block, int kvHead, float[] scratch, TileRef ref) {
        int s = heldSlot(block, kvHead);
        pages[s / PAGE_SLOTS].keys(s % PAGE_SLOTS, 0, scratch, ref);
    }

    @Override
    public void values(int block, int kvHead, float[] scratch, TileRef ref) {
        int s = heldSlot(block, kvHead);
        pages[s / PAGE_SLOTS].values(s % PAGE_SLOTS, 0, scratch, ref);
    }

    /** Copies the heads {@code from} holds; heads it released stay released in {@code to}. */
    @Override
    public synchronized void copyBlock(int from, int to) {
        for (int h = 0; h < numKvHeads; h++) {
            int source = slotOf[from * numKvHeads + h];
            if (source == NONE) {
                release(to, h);
                continue;
            }
            int target = slotForWrite(to, h);
            copySlot(source, target);
        }
    }

    private void copySlot(int source, int target) {
        int bytes = KvCache.BLOCK_TOKENS * headDim * (precision == KvPrecision.F32 ? Float.BYTES : Short.BYTES);
        ByteBuffer k = ByteBuffer.allocate(bytes).order(java.nio.ByteOrder.nativeOrder());
        ByteBuffer v = ByteBuffer.allocate(bytes).order(java.nio.ByteOrder.nativeOrder());
        pages[source / PAGE_SLOTS].exportBlock(source % PAGE_SLOTS, KvCache.BLOCK_TOKENS, k, v);
        k.flip();
        v.flip();
        pages[target / PAGE_SLOTS].importBlock(target % PAGE_SLOTS, KvCache.BLOCK_TOKENS, k, v);
    }

    /** Released heads export as zeros: the pattern that released them never reads them. */
    @Override
    public void exportBlock(int block, int tokens, ByteBuffer k, ByteBuffer v) {
        int bytes = tokens * headDim * (precision == KvPrecision.F32 ? Float.BYTES : Short.BYTES);
        for (int h = 0; h < numKvHeads; h++) {
            int s = slotOf[block * numKvHeads + h];
            if (s == NONE) {
                k.put(new byte[bytes]);
                v.put(new byte[bytes]);
            } else {
                pages[s / PAGE_SLOTS].exportBlock(s % PAGE_SLOTS, tokens, k, v);
            }
        }
    }

    @Override
    public void importBlock(int block, int tokens, ByteBuffer k, ByteBuffer v) {
        for (int h = 0; h < numKvHeads; h++) {
            int s = slotForWrite(block, h);
            pages[s / PAGE_SLOTS].importBlock(s % PAGE_SLOTS, tokens, k, v);
        }
    }
}
