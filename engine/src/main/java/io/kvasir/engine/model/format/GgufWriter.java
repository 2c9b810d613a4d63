package io.kvasir.engine.model.format;

import io.kvasir.engine.tensor.DType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds a GGUF version 3 file: typed metadata, then tensors (F32, F16 or BF16) each starting on a
 * {@value GgufFile#DEFAULT_ALIGNMENT}-byte boundary. Shapes are given in Hugging Face order and written as
 * ggml dims (reversed); the row-major bytes are the same in both orders.
 */
public final class GgufWriter {

    private final Header header = new Header();
    private final Set<String> keys = new LinkedHashSet<>();
    private final List<PendingTensor> tensors = new ArrayList<>();

    public GgufWriter putString(String key, String value) {
        header.key(key, GgufValueType.STRING).string(value);
        return this;
    }

    public GgufWriter putU32(String key, long value) {
        if (value < 0 || value > 0xffffffffL) {
            throw new IllegalArgumentException(key + ": " + value + " does not fit in a u32");
        }
        header.key(key, GgufValueType.UINT32).i32((int) value);
        return this;
    }

    public GgufWriter putI32(String key, int value) {
        header.key(key, GgufValueType.INT32).i32(value);
        return this;
    }

    public GgufWriter putF32(String key, float value) {
        header.key(key, GgufValueType.FLOAT32).i32(Float.floatToRawIntBits(value));
        return this;
    }

    public GgufWriter putBool(String key, boolean value) {
        header.key(key, GgufValueType.BOOL).u8(value ? 1 : 0);
        return this;
    }

    public GgufWriter putStrings(String key, List<String> values) {
        header.key(key, GgufValueType.ARRAY).i32(GgufValueType.STRING.id()).i64(values.size());
        values.forEach(header::string);
        return this;
    }

    public GgufWriter putInts(String key, int[] values) {
        header.key(key, GgufValueType.ARRAY).i32(GgufValueType.INT32.id()).i64(values.length);
        for (int v : values) {
            header.i32(v);
        }
        return this;
    }

    public GgufWriter putFloats(String key, float[] values) {
        header.key(key, GgufValueType.ARRAY).i32(GgufValueType.FLOAT32.id()).i64(values.length);
        for (float v : values) {
            header.i32(Float.floatToRawIntBits(v));
        }
        return this;
    }

    /** Adds a tensor; {@code hfShape} is in Hugging Face order ({@code [rows, cols]}). */
    public GgufWriter addTensor(String name, long[] hfShape, float[] values, DType dtype) {
        if (dtype == DType.Q8_0) {
            throw new IllegalArgumentException(name + ": writing Q8_0 is not supported");
        }
        long n = 1;
        for (long d : hfShape) {
            n = Math.multiplyExact(n, d);
        }
        if (n != values.length) {
            throw new IllegalArgumentException(name + ": shape needs " + n + " values, got " + values.length);
        }
        if (tensors.stream().anyMatch(t -> t.name.equals(name))) {
            throw new IllegalArgumentException("duplicate tensor '" + name + "'");
        }
        tensors.add(new PendingTensor(name, hfShape.clone(), values, dtype));
        return this;
    }

    public void write(Path file) throws IOException {
        long alignment = GgufFile.DEFAULT_ALIGNMENT;
        Header out = new Header();
        out.i32(GgufFile.MAGIC).i32(3).i64(tensors.size()).i64(keys.size());
        out.bytes(header.toByteArray());
        long offset = 0;
        long[] offsets = new long[tensors.size()];
        for (int i = 0; i < tensors.size(); i++) {
            PendingTensor t = tensors.get(i);
            out.string(t.name).i32(t.shape.length);
            for (int d = t.shape.length - 1; d >= 0; d--) {
                out.i64(t.shape[d]);
            }
            out.i32(GgmlType.of(t.dtype)).i64(offset);
            offsets[i] = offset;
            offset = align(offset + t.dtype.bytesFor(t.values.length), alignment);
        }
        byte[] head = out.toByteArray();
        long dataStart = align(head.length, alignment);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ, StandardOpenOption.TRUNCATE_EXISTING);
             Arena arena = Arena.ofConfined()) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_WRITE, 0, dataStart + offset, arena);
            MemorySegment.copy(head, 0, seg, ValueLayout.JAVA_BYTE, 0, head.length);
            for (int i = 0; i < tensors.size(); i++) {
                PendingTensor t = tensors.get(i);
                FloatCodec.encode(t.dtype, t.values, seg, dataStart + offsets[i]);
            }
            seg.force();
        }
    }

    private static long align(long n, long alignment) {
        return (n + alignment - 1) / alignment * alignment;
    }

    private record PendingTensor(String name, long[] shape, float[] values, DType dtype) {
    }

    /** A growable little-endian byte buffer for the header. */
    private final class Header {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        Header key(String key, GgufValueType type) {
            if (!keys.add(key)) {
                throw new IllegalArgumentException("duplicate metadata key '" + key + "'");
            }
            return string(key).i32(type.id());
        }

        Header u8(int v) {
            bytes.write(v);
            return this;
        }

        Header i32(int v) {
            bytes.write(scratch.clear().putInt(v).array(), 0, 4);
            return this;
        }

        Header i64(long v) {
            bytes.write(scratch.clear().putLong(v).array(), 0, 8);
            return this;
        }

        Header string(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            return i64(utf8.length).bytes(utf8);
        }

        Header bytes(byte[] b) {
            bytes.write(b, 0, b.length);
            return this;
        }

        byte[] toByteArray() {
            return bytes.toByteArray();
        }
    }
}
