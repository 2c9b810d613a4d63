package io.kvasir.engine.model.format;

import io.kvasir.engine.tensor.DType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A memory-mapped GGUF file: its metadata and its tensors under their GGUF names ({@code blk.0.attn_q.weight}).
 * Shapes are reported in Hugging Face order (ggml's dims reversed), so a matrix with ggml dims
 * {@code [cols, rows]} is {@code [rows, cols]} here; the bytes are the same. Use {@link GgufModel} for a
 * model under Hugging Face names.
 */
public final class GgufFile implements TensorSource {

    /** "GGUF" read as a little-endian u32. */
    static final int MAGIC = 0x46554747;
    static final String ALIGNMENT_KEY = "general.alignment";
    static final int DEFAULT_ALIGNMENT = 32;
    private static final int MAX_DIMS = 4;

    private final String name;
    private final Arena arena;
    private final Map<String, Object> metadata;
    private final Map<String, Tensor> tensors;

    private GgufFile(String name, Arena arena, Map<String, Object> metadata, Map<String, Tensor> tensors) {
        this.name = name;
        this.arena = arena;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    public static GgufFile open(Path path) throws IOException {
        String name = path.getFileName().toString();
        Arena arena = Arena.ofShared();
        try {
            MemorySegment file;
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                file = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            } catch (IOException e) {
                throw new IOException(name + ": cannot map: " + e.getMessage(), e);
            }
            return parse(name, file, arena);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static GgufFile parse(String name, MemorySegment file, Arena arena) throws IOException {
        GgufCursor in = new GgufCursor(file, name);
        int magic = in.u32("magic");
        if (magic != MAGIC) {
            throw new IOException(name + ": bad magic 0x" + Integer.toHexString(magic) + ", not a GGUF file");
        }
        int version = in.u32("version");
        if (version != 2 && version != 3) {
            throw new IOException(name + ": unsupported GGUF version " + version + " (supported: 2, 3)");
        }
        long tensorCount = in.u64("tensor count");
        long kvCount = in.u64("metadata count");
        if (tensorCount < 0 || kvCount < 0 || tensorCount > file.byteSize() || kvCount > file.byteSize()) {
            throw new IOException(name + ": implausible counts (" + tensorCount + " tensors, " + kvCount + " keys)");
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = in.string("metadata key");
            int typeId = in.u32(key + " type");
            GgufValueType type = GgufValueType.of(typeId);
            if (type == null) {
                throw new IOException(name + ": key '" + key + "' has unknown value type " + typeId);
            }
            metadata.put(key, in.value(type, key));
        }
        long alignment = alignment(name, metadata);
        Map<String, TensorInfo> infos = new LinkedHashMap<>();
        for (long i = 0; i < tensorCount; i++) {
            TensorInfo info = TensorInfo.read(in, name);
            if (infos.put(info.name, info) != null) {
                throw new IOException(name + ": duplicate tensor '" + info.name + "'");
            }
        }
        long dataStart = (in.position() + alignment - 1) / alignment * alignment;
        if (dataStart > file.byteSize() && tensorCount > 0) {
            throw new IOException(name + ": truncated file: data section would start at " + dataStart
                    + ", file has " + file.byteSize() + " bytes");
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (TensorInfo info : infos.values()) {
            tensors.put(info.name, info.slice(name, file, dataStart, alignment));
        }
        return new GgufFile(name, arena, metadata, tensors);
    }

    private static long alignment(String name, Map<String, Object> metadata) throws IOException {
        Object a = metadata.getOrDefault(ALIGNMENT_KEY, DEFAULT_ALIGNMENT);
        long alignment = a instanceof Number n ? n.longValue() : -1;
        if (alignment <= 0 || Long.bitCount(alignment) != 1) {
            throw new IOException(name + ": " + ALIGNMENT_KEY + " must be a power of two, got " + a);
        }
        return alignment;
    }

    /** Metadata values typed as {@link GgufCursor#value} describes; insertion order of the file. */
    public Map<String, Object> metadata() {
        return metadata;
    }

    @Override
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    @Override
    public String description() {
        return name;
    }

    @Override
    public void close() {
        arena.close();
    }

    private record TensorInfo(String name, long[] ggmlDims, int type, long offset) {

        static TensorInfo read(GgufCursor in, String file) throws IOException {
            String name = in.string("tensor name");
            int nDims = in.u32(name + " n_dims");
            if (nDims < 1 || nDims > MAX_DIMS) {
                throw new IOException(file + ": tensor '" + name + "' has " + nDims + " dimensions (1.." + MAX_DIMS + ")");
            }
            long[] dims = new long[nDims];
            for (int d = 0; d < nDims; d++) {
                dims[d] = in.u64(name + " dims");
                if (dims[d] < 0) {
                    throw new IOException(file + ": tensor '" + name + "' has dimension " + Long.toUnsignedString(dims[d]));
                }
            }
            return new TensorInfo(name, dims, in.u32(name + " type"), in.u64(name + " offset"));
        }

        Tensor slice(String file, MemorySegment all, long dataStart, long alignment) throws IOException {
            String where = file + ": tensor '" + name + "'";
            DType dtype = GgmlType.toDType(type).orElseThrow(() -> new IOException(where
                    + " has unsupported ggml type " + type + " (supported: F32=0, F16=1, Q8_0=8, BF16=30)"));
            long[] shape = new long[ggmlDims.length];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = ggmlDims[ggmlDims.length - 1 - d];
            }
            long bytes;
            try {
                bytes = dtype.bytesFor(Arrays.stream(shape).reduce(1, Math::multiplyExact));
            } catch (ArithmeticException | IllegalArgumentException e) {
                throw new IOException(where + " has invalid shape " + Arrays.toString(shape) + ": " + e.getMessage());
            }
            if (offset < 0 || offset % alignment != 0) {
                throw new IOException(where + " offset " + offset + " is not a multiple of the alignment " + alignment);
            }
            if (offset > all.byteSize() - dataStart || bytes > all.byteSize() - dataStart - offset) {
                throw new IOException(where + " data [" + offset + "," + (offset + bytes) + ") exceeds the data section ("
                        + Math.max(0, all.byteSize() - dataStart) + " bytes; file size " + all.byteSize() + ")");
            }
            return new Tensor(name, dtype, shape, all.asSlice(dataStart + offset, bytes));
        }
    }
}
