package io.kvasir.engine.kv;

import java.nio.ByteBuffer;

/** Keys and values of one layer for every block of the pool. */
public sealed interface KvLayerStorage permits F32LayerStorage, Bf16LayerStorage, HeadBlockStorage {

    /** Stores one token's K and V for one KV head: {@code headDim} values each. */
    void write(int block, int slot, int kvHead, float[] k, int kOffset, float[] v, int vOffset);

    /**
     * Points {@code ref} at the {@code [64][headDim]} keys of {@code kvHead} in {@code block}; {@code scratch}
     * (at least 64·headDim) is used when the storage must convert.
     */
    void keys(int block, int kvHead, float[] scratch, TileRef ref);

    void values(int block, int kvHead, float[] scratch, TileRef ref);

    void copyBlock(int from, int to);

    /**
     * Appends the first {@code tokens} positions of {@code block} to {@code k} and {@code v}, head by head
     * ({@code [kvHead][token][headDim]}), in this storage's element type and the buffers' byte order.
     */
    void exportBlock(int block, int tokens, ByteBuffer k, ByteBuffer v);

    /** The inverse of {@link #exportBlock}: overwrites the first {@code tokens} positions of {@code block}. */
    void importBlock(int block, int tokens, ByteBuffer k, ByteBuffer v);
}
