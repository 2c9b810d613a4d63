package io.kvasir.kvstore;

import io.kvasir.engine.kv.KvPrecision;

/** Element type of a stored block; the code is what the record carries on the wire. */
public enum KvDtype {
    BF16(1, 2), F16(2, 2), F32(3, 4);

    private final int code;
    private final int bytes;

    KvDtype(int code, int bytes) {
        this.code = code;
        this.bytes = bytes;
    }

    public int code() {
        return code;
    }

    public int bytes() {
        return bytes;
    }

    /** Null for an unknown code: a record from a newer writer is treated as missing. */
    static KvDtype ofCode(int code) {
        for (KvDtype d : values()) {
            if (d.code == code) {
                return d;
            }
        }
        return null;
    }

    /** Blocks move between caches byte for byte, so the store keeps the engine's own KV type. */
    public static KvDtype of(KvPrecision precision) {
        return precision == KvPrecision.F32 ? F32 : BF16;
    }
}
