package io.kvasir.engine.kv;

/** Element type of the KV cache. BF16 halves its memory at the cost of ~3 significant digits. */
public enum KvPrecision {
    F32, BF16
}
