package io.kvasir.engine.model.format;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads GGUF's little-endian primitives from a mapped file; running past the end is a "truncated" IOException. */
final class GgufCursor {

    private final MemorySegment file;
    private final String name;
    private long pos;

    GgufCursor(MemorySegment file, String name) {
        this.file = file;
        this.name = name;
    }

    long position() {
        return pos;
    }

    private long take(long bytes, String what) throws IOException {
        if (bytes < 0 || bytes > file.byteSize() - pos) {
            throw new IOException(name + ": truncated file: " + what + " at offset " + pos + " needs " + bytes
                    + " bytes, file has " + file.byteSize());
        }
        long at = pos;
        pos += bytes;
        return at;
    }

    int u32(String what) throws IOException {
        return file.get(ValueLayout.JAVA_INT_UNALIGNED, take(4, what));
    }

    long u64(String what) throws IOException {
        return file.get(ValueLayout.JAVA_LONG_UNALIGNED, take(8, what));
    }

    String string(String what) throws IOException {
        long len = u64(what + " length");
        long at = take(len, what);
        return new String(file.asSlice(at, len).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /**
     * One metadata value of type {@code type}. Integers up to 32 bits signed come back as {@link Integer},
     * UINT32 and 64-bit integers as {@link Long}, FLOAT32 as {@link Float}, FLOAT64 as {@link Double},
     * arrays as an unmodifiable {@link List}.
     */
    Object value(GgufValueType type, String key) throws IOException {
        return switch (type) {
            case UINT8 -> Byte.toUnsignedInt(file.get(ValueLayout.JAVA_BYTE, take(1, key)));
            case INT8 -> (int) file.get(ValueLayout.JAVA_BYTE, take(1, key));
            case UINT16 -> Short.toUnsignedInt(file.get(ValueLayout.JAVA_SHORT_UNALIGNED, take(2, key)));
            case INT16 -> (int) file.get(ValueLayout.JAVA_SHORT_UNALIGNED, take(2, key));
            case UINT32 -> Integer.toUnsignedLong(u32(key));
            case INT32 -> u32(key);
            case FLOAT32 -> file.get(ValueLayout.JAVA_FLOAT_UNALIGNED, take(4, key));
            case BOOL -> file.get(ValueLayout.JAVA_BYTE, take(1, key)) != 0;
            case STRING -> string(key);
            case UINT64, INT64 -> u64(key);
            case FLOAT64 -> file.get(ValueLayout.JAVA_DOUBLE_UNALIGNED, take(8, key));
            case ARRAY -> array(key);
        };
    }

    private List<Object> array(String key) throws IOException {
        int typeId = u32(key + " array type");
        GgufValueType type = GgufValueType.of(typeId);
        if (type == null) {
            throw new IOException(name + ": key '" + key + "' has unknown array element type " + typeId);
        }
        long count = u64(key + " array length");
        // Every element takes at least one byte, which bounds the count before anything is allocated.
        if (count < 0 || count > file.byteSize() - pos) {
            throw new IOException(name + ": truncated file: key '" + key + "' claims " + count + " array elements");
        }
        List<Object> values = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            values.add(value(type, key));
        }
        return List.copyOf(values);
    }
}
