package io.kvasir.engine.model.format;

/** Type tags of GGUF metadata values, as numbered by the GGUF specification. */
enum GgufValueType {
    UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64, INT64, FLOAT64;

    static GgufValueType of(int id) {
        GgufValueType[] all = values();
        return id >= 0 && id < all.length ? all[id] : null;
    }

    int id() {
        return ordinal();
    }
}
