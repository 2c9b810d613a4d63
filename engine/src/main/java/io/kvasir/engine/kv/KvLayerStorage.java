package io.kvasir.engine.kv;

/** Keys and values of one layer for every block of the pool. */
public sealed interface KvLayerStorage permits F32LayerStorage, Bf16LayerStorage {

    /** Stores one token's K and V for one KV head: {@code headDim} values each. */
    void write(int block, int slot, int kvHead, float[] k, int kOffset, float[] v, int vOffset);

    /**
     * Points {@code ref} at the {@code [64][headDim]} keys of {@code kvHead} in {@code block}; {@code scratch}
     * (at least 64·headDim) is used when the storage must convert.
     */
    void keys(int block, int kvHead, float[] scratch, TileRef ref);

    void values(int block, int kvHead, float[] scratch, TileRef ref);

    void copyBlock(int from, int to);
}
