package io.kvasir.engine.kv;

import java.nio.ByteBuffer;

/** BF16 storage: the upper 16 bits of the F32 value, rounded to nearest even. */
final class Bf16LayerStorage implements KvLayerStorage {

    private final short[] keys;
    private final short[] values;
    private final int numKvHeads;
    private final int headDim;
    private final int blockStride;

    Bf16LayerStorage(int elements, int numKvHeads, int headDim) {
        this.keys = new short[elements];
        this.values = new short[elements];
        this.numKvHeads = numKvHeads;
        this.headDim = headDim;
        this.blockStride = KvCache.BLOCK_TOKENS * numKvHeads * headDim;
    }

    private int base(int block, int kvHead) {
        return block * blockStride + kvHead * KvCache.BLOCK_TOKENS * headDim;
    }

    static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x40); // keep NaN a NaN
        }
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    static float fromBf16(short s) {
        return Float.intBitsToFloat(s << 16);
    }

    @Override
    public void write(int block, int slot, int kvHead, float[] k, int kOffset, float[] v, int vOffset) {
        int at = base(block, kvHead) + slot * headDim;
        for (int i = 0; i < headDim; i++) {
            keys[at + i] = toBf16(k[kOffset + i]);
            values[at + i] = toBf16(v[vOffset + i]);
        }
    }

    @Override
    public void keys(int block, int kvHead, float[] scratch, TileRef ref) {
        widen(keys, base(block, kvHead), scratch);
        ref.array = scratch;
        ref.offset = 0;
    }

    @Override
    public void values(int block, int kvHead, float[] scratch, TileRef ref) {
        widen(values, base(block, kvHead), scratch);
        ref.array = scratch;
        ref.offset = 0;
    }

    private void widen(short[] src, int from, float[] dst) {
        int n = KvCache.BLOCK_TOKENS * headDim;
        for (int i = 0; i < n; i++) {
            dst[i] = fromBf16(src[from + i]);
        }
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
            k.asShortBuffer().put(keys, at, tokens * headDim);
            v.asShortBuffer().put(values, at, tokens * headDim);
            k.position(k.position() + tokens * headDim * Short.BYTES);
            v.position(v.position() + tokens * headDim * Short.BYTES);
        }
    }

    @Override
    public void importBlock(int block, int tokens, ByteBuffer k, ByteBuffer v) {
        for (int h = 0; h < numKvHeads; h++) {
            int at = base(block, h);
            k.asShortBuffer().get(keys, at, tokens * headDim);
            v.asShortBuffer().get(values, at, tokens * headDim);
            k.position(k.position() + tokens * headDim * Short.BYTES);
            v.position(v.position() + tokens * headDim * Short.BYTES);
        }
    }
}
