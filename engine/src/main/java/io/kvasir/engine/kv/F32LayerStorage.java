package io.kvasir.engine.kv;

import java.nio.ByteBuffer;

final class F32LayerStorage implements KvLayerStorage {

    private final float[] keys;
    private final float[] values;
    private final int numKvHeads;
    private final int headDim;
    private final int blockStride;

    F32LayerStorage(int elements, int numKvHeads, int headDim) {
        this.keys = new float[elements];
        this.values = new float[elements];
        this.numKvHeads = numKvHeads;
        this.headDim = headDim;
        this.blockStride = KvCache.BLOCK_TOKENS * numKvHeads * headDim;
    }

    private int base(int block, int kvHead) {
        return block * blockStride + kvHead * KvCache.BLOCK_TOKENS * headDim;
    }

    @Override
    public void write(int block, int slot, int kvHead, float[] k, int kOffset, float[] v, int vOffset) {
        int at = base(block, kvHead) + slot * headDim;
        System.arraycopy(k, kOffset, keys, at, headDim);
        System.arraycopy(v, vOffset, values, at, headDim);
    }

    @Override
    public void keys(int block, int kvHead, float[] scratch, TileRef ref) {
        ref.array = keys;
        ref.offset = base(block, kvHead);
    }

    @Override
    public void values(int block, int kvHead, float[] scratch, TileRef ref) {
        ref.array = values;
        ref.offset = base(block, kvHead);
    }

    @Override
    public void copyBlock(int from, int to) {
        System.arraycopy(keys, from * blockStride, keys, to * blockStride, blockStride);
        System.arraycopy(values, from * blockStride, values, to * blockStride, blockStride);
    }

    @Override
    public void exportBlock(int block, int tokens, ByteBuffer k, ByteBuffer v) {
        for (int h = 0; h < numKvHeads; h++) {
            int at = base(block, h);
            k.asFloatBuffer().put(keys, at, tokens * headDim);
            v.asFloatBuffer().put(values, at, tokens * headDim);
            k.position(k.position() + tokens * headDim * Float.BYTES);
            v.position(v.position() + tokens * headDim * Float.BYTES);
        }
    }

    @Override
    public void importBlock(int block, int tokens, ByteBuffer k, ByteBuffer v) {
        for (int h = 0; h < numKvHeads; h++) {
            int at = base(block, h);
            k.asFloatBuffer().get(keys, at, tokens * headDim);
            v.asFloatBuffer().get(values, at, tokens * headDim);
            k.position(k.position() + tokens * headDim * Float.BYTES);
            v.position(v.position() + tokens * headDim * Float.BYTES);
        }
    }
}
