package io.kvasir.engine.kv;

/**
 * Where one head's 64 keys (or values) of a block can be read as F32: either straight in the cache (F32) or in
 * a scratch tile the storage converted them into (BF16). Mutable and reused so the attention loop allocates nothing.
 */
public final class TileRef {
    public float[] array;
    public int offset;
}
