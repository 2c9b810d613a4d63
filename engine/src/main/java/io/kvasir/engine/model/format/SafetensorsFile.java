package io.kvasir.engine.model.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvasir.engine.tensor.DType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps one {@code .safetensors} file and checks its header: an 8-byte little-endian header length, a JSON
 * object of {@code name -> {dtype, shape, data_offsets}} (offsets relative to the end of the header), then
 * the data. Every failure names the file.
 */
final class SafetensorsFile {

    /** Real headers are a few MB at most; a larger length means a corrupt or foreign file. */
    private static final long MAX_HEADER = 100L << 20;

    private SafetensorsFile() {
    }

    static Map<String, Tensor> map(Path file, Arena arena) throws IOException {
        String name = file.getFileName().toString();
        MemorySegment all;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            all = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        } catch (IOException e) {
            throw new IOException(name + ": cannot map: " + e.getMessage(), e);
        }
        long size = all.byteSize();
        if (size < 8) {
            throw new IOException(name + ": truncated header (file has " + size + " bytes)");
        }
        long headerLen = all.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        if (headerLen < 2 || headerLen > MAX_HEADER) {
            throw new IOException(name + ": implausible header length " + headerLen);
        }
        if (8 + headerLen > size) {
            throw new IOException(name + ": truncated header (needs " + headerLen + " bytes, file has " + size + ")");
        }
        JsonNode header;
        try {
            byte[] bytes = all.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
            header = new ObjectMapper().readTree(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IOException(name + ": header is not valid JSON: " + e.getMessage(), e);
        }
        if (header == null || !header.isObject()) {
            throw new IOException(name + ": header is not a JSON object");
        }
        MemorySegment data = all.asSlice(8 + headerLen);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().equals("__metadata__")) {
                tensors.put(e.getKey(), tensor(name, e.getKey(), e.getValue(), data, size));
            }
        }
        return tensors;
    }

    private static Tensor tensor(String file, String name, JsonNode info, MemorySegment data, long fileSize) throws IOException {
        String where = file + ": tensor '" + name + "'";
        DType dtype = switch (info.path("dtype").asText()) {
            case "F32" -> DType.F32;
            case "F16" -> DType.F16;
            case "BF16" -> DType.BF16;
            default -> throw new IOException(where + " has unsupported dtype '" + info.path("dtype").asText()
                    + "' (supported: F32, F16, BF16)");
        };
        JsonNode shapeNode = info.path("shape");
        JsonNode offsets = info.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new IOException(where + " needs 'shape' and a two-element 'data_offsets'");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong(-1);
            if (shape[i] < 0) {
                throw new IOException(where + " has a negative or non-integer dimension in " + shapeNode);
            }
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        if (begin < 0 || end < begin) {
            throw new IOException(where + " has invalid data_offsets " + offsets);
        }
        if (end > data.byteSize()) {
            throw new IOException(where + " data_offsets [" + begin + "," + end + "] exceed file size " + fileSize
                    + " (data section holds " + data.byteSize() + " bytes)");
        }
        long expected;
        try {
            expected = dtype.bytesFor(Arrays.stream(shape).reduce(1, Math::multiplyExact));
        } catch (ArithmeticException e) {
            throw new IOException(where + " shape " + Arrays.toString(shape) + " overflows");
        }
        if (end - begin != expected) {
            throw new IOException(where + " data_offsets [" + begin + "," + end + "] hold " + (end - begin)
                    + " bytes but " + dtype + " " + Arrays.toString(shape) + " needs " + expected);
        }
        return new Tensor(name, dtype, shape, data.asSlice(begin, end - begin));
    }
}
