package io.kvasir.engine.kv;

/**
 * The paged KV cache of one model: a {@link BlockPool} and, per layer, key and value storage for every block.
 * A block holds {@link #BLOCK_TOKENS} positions; within a block the layout is {@code [kvHead][token][headDim]},
 * so one head's 64 keys are contiguous for the attention kernel.
 */
public final class KvCache {

    public static final int BLOCK_TOKENS = 64;

    private final BlockPool pool;
    private final KvLayerStorage[] layers;
    private final int numKvHeads;
    private final int headDim;
    private final KvPrecision precision;

    public KvCache(int numLayers, int numKvHeads, int headDim, int numBlocks, KvPrecision precision) {
        this(numLayers, numKvHeads, headDim, numBlocks, precision, layer -> false);
    }

    /**
     * A cache whose layers {@code perHead} accepts keep K/V per (block, KV head) ({@link HeadBlockStorage}), so their
     * attention pattern can release heads' blocks it will never read again; the other layers keep whole blocks,
     * allocated up front.
     */
    public KvCache(int numLayers, int numKvHeads, int headDim, int numBlocks, KvPrecision precision,
                   java.util.function.IntPredicate perHead) {
        long perLayer = (long) numBlocks * BLOCK_TOKENS * numKvHeads * headDim;
        if (perLayer > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("KV cache of " + numBlocks + " blocks exceeds one array per layer; use fewer blocks");
        }
        this.numKvHeads = numKvHeads;
        this.headDim = headDim;
        this.precision = precision;
        this.layers = new KvLayerStorage[numLayers];
        for (int l = 0; l < numLayers; l++) {
            layers[l] = perHead.test(l) ? new HeadBlockStorage(numBlocks, numKvHeads, headDim, precision)
                    : precision == KvPrecision.F32
                    ? new F32LayerStorage((int) perLayer, numKvHeads, headDim)
                    : new Bf16LayerStorage((int) perLayer, numKvHeads, headDim);
        }
        this.pool = new BlockPool(numBlocks, block -> {
            for (KvLayerStorage layer : layers) {
                if (layer instanceof HeadBlockStorage heads) {
                    heads.releaseBlock(block);
                }
            }
        });
    }

    /**
     * (block, KV head) pairs whose K/V {@code layer} holds now: for a per-block layer every allocated block's heads,
     * for a per-head layer only those not released.
     */
    public int heldHeadBlocks(int layer) {
        return layers[layer] instanceof HeadBlockStorage heads ? heads.heldHeadBlocks()
                : (pool.capacity() - pool.freeBlocks()) * numKvHeads;
    }

    /** Blocks needed for a memory budget: K and V of every layer. */
    public static int blocksForBytes(long bytes, int numLayers, int numKvHeads, int headDim, KvPrecision precision) {
        long perBlock = 2L * numLayers * BLOCK_TOKENS * numKvHeads * headDim * (precision == KvPrecision.F32 ? 4 : 2);
        return (int) Math.max(1, Math.min(bytes / perBlock, (Integer.MAX_VALUE - 16L) / ((long) BLOCK_TOKENS * numKvHeads * headDim)));
    }

    public BlockPool pool() {
        return pool;
    }

    public KvLayerStorage layer(int layer) {
        return layers[layer];
    }

    public int numKvHeads() {
        return numKvHeads;
    }

    public int headDim() {
        return headDim;
    }

    public KvPrecision precision() {
        return precision;
    }

    /** Bytes of K (or of V) for {@code tokens} positions of one block of one layer, all KV heads. */
    public int blockBytes(int tokens) {
        return tokens * numKvHeads * headDim * (precision == KvPrecision.F32 ? Float.BYTES : Short.BYTES);
    }

    /** Copies every layer of block {@code from} into block {@code to} (copy-on-write of a shared partial block). */
    void copyBlock(int from, int to) {
        for (KvLayerStorage layer : layers) {
            layer.copyBlock(from, to);
        }
    }
}
