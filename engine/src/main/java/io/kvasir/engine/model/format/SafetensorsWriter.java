package io.kvasir.engine.model.format;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.model.HostTensor;
import io.kvasir.engine.tensor.DType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/** Writes heap tensors as one {@code .safetensors} file in F32, F16 (IEEE rounding) or BF16 (round-to-nearest-even). */
public final class SafetensorsWriter {

    private SafetensorsWriter() {
    }

    public static void write(Path file, List<HostTensor> tensors, DType dtype, Map<String, String> metadata)
            throws IOException {
        if (dtype == DType.Q8_0) {
            throw new IllegalArgumentException("safetensors has no Q8_0 dtype");
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (HostTensor t : tensors) {
            long bytes = dtype.bytesFor(t.values().length);
            ObjectNode info = header.putObject(t.name());
            info.put("dtype", dtype.name());
            var shape = info.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            info.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] text = json.writeValueAsBytes(header);
        // The data section starts at 8 + header length; readers expect it 8-byte aligned, so pad with spaces.
        int padded = (text.length + 7) / 8 * 8;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ, StandardOpenOption.TRUNCATE_EXISTING);
             Arena arena = Arena.ofConfined()) {
            long dataStart = 8L + padded;
            MemorySegment out = ch.map(FileChannel.MapMode.READ_WRITE, 0, dataStart + offset, arena);
            out.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, padded);
            MemorySegment.copy(text, 0, out, ValueLayout.JAVA_BYTE, 8, text.length);
            out.asSlice(8 + text.length, padded - text.length).fill((byte) ' ');
            long at = dataStart;
            for (HostTensor t : tensors) {
                FloatCodec.encode(dtype, t.values(), out, at);
                at += dtype.bytesFor(t.values().length);
            }
            out.force();
        }
    }
}
