package io.kvasir.engine.model.format;

import io.kvasir.engine.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GgufTest {

    @TempDir
    Path dir;

    private static float[] ramp(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i - n / 2f) * 0.37f;
        }
        return v;
    }

    private Path writeSample() throws IOException {
        Path file = dir.resolve("sample.gguf");
        new GgufWriter()
                .putString("general.architecture", "qwen2")
                .putU32("answer", 4_000_000_000L)
                .putI32("neg", -7)
                .putF32("eps", 1e-6f)
                .putBool("flag", true)
                .putStrings("words", List.of("a", "Ġb", "日本"))
                .putInts("ints", new int[]{3, -1, 5})
                .putFloats("floats", new float[]{0.5f, -2f})
                .addTensor("m", new long[]{3, 5}, ramp(15), DType.F32)
                .addTensor("h", new long[]{7}, ramp(7), DType.F16)
                .addTensor("b", new long[]{2, 3, 4}, ramp(24), DType.BF16)
                .write(file);
        return file;
    }

    @Test
    void roundTripsMetadataAndTensors() throws IOException {
        try (GgufFile f = GgufFile.open(writeSample())) {
            Map<String, Object> m = f.metadata();
            assertEquals("qwen2", m.get("general.architecture"));
            assertEquals(4_000_000_000L, m.get("answer"));
            assertEquals(-7, m.get("neg"));
            assertEquals(1e-6f, m.get("eps"));
            assertEquals(true, m.get("flag"));
            assertEquals(List.of("a", "Ġb", "日本"), m.get("words"));
            assertEquals(List.of(3, -1, 5), m.get("ints"));
            assertEquals(List.of(0.5f, -2f), m.get("floats"));

            assertEquals(List.of("m", "h", "b"), List.copyOf(f.tensors().keySet()));
            Tensor matrix = f.require("m");
            assertEquals(DType.F32, matrix.dtype());
            assertArrayEquals(new long[]{3, 5}, matrix.shape());
            assertArrayEquals(ramp(15), matrix.toFloats());
            Tensor half = f.require("h");
            float[] h = half.toFloats();
            for (int i = 0; i < h.length; i++) {
                assertEquals(Float.float16ToFloat(Float.floatToFloat16(ramp(7)[i])), h[i]);
            }
            Tensor bf = f.require("b");
            assertArrayEquals(new long[]{2, 3, 4}, bf.shape());
            assertEquals(DType.BF16, bf.dtype());
            assertEquals(ramp(24)[23], bf.toFloats()[23], Math.abs(ramp(24)[23]) * 0x1p-8);
            for (Tensor t : f.tensors().values()) {
                assertEquals(0, (t.data().address() - f.require("m").data().address()) % 32, t.name() + " alignment");
            }
        }
    }

    @Test
    void matrixDimsAreStoredInnermostFirst() throws IOException {
        byte[] file = Files.readAllBytes(writeSample());
        ByteBuffer info = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).position(afterTensorName(file, "m"));
        assertEquals(2, info.getInt());
        assertEquals(5, info.getLong(), "ggml ne[0] is the row length");
        assertEquals(3, info.getLong());
        assertEquals(GgmlType.F32, info.getInt());
    }

    @Test
    void readsQ8_0Tensors() throws IOException {
        // An F16 [2, 32] tensor occupies 128 bytes; relabelled Q8_0 it needs 2 blocks of 34, which fit.
        Path file = dir.resolve("q8.gguf");
        new GgufWriter().addTensor("q", new long[]{2, 32}, ramp(64), DType.F16).write(file);
        patchType(file, "q", GgmlType.Q8_0);
        try (GgufFile f = GgufFile.open(file)) {
            Tensor q = f.require("q");
            assertEquals(DType.Q8_0, q.dtype());
            assertArrayEquals(new long[]{2, 32}, q.shape());
            assertEquals(68, q.data().byteSize());
        }
    }

    @Test
    void q8_0DecodesScaleTimesQuants() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment block = arena.allocate(34);
            block.set(FloatCodec.I16, 0, Float.floatToFloat16(0.25f));
            for (int j = 0; j < 32; j++) {
                block.set(ValueLayout.JAVA_BYTE, 2 + j, (byte) (j - 16));
            }
            float[] v = new Tensor("q", DType.Q8_0, new long[]{32}, block).toFloats();
            assertEquals(-4f, v[0]);
            assertEquals(3.75f, v[31]);
        }
    }

    @Test
    void badMagicIsRejected() throws IOException {
        Path file = writeSample();
        byte[] b = Files.readAllBytes(file);
        b[0] = 'X';
        Files.write(file, b);
        assertFails(file, "sample.gguf: bad magic");
    }

    @Test
    void unsupportedVersionIsRejected() throws IOException {
        Path file = writeSample();
        byte[] b = Files.readAllBytes(file);
        b[4] = 4;
        Files.write(file, b);
        assertFails(file, "sample.gguf: unsupported GGUF version 4");
    }

    @Test
    void truncatedHeaderIsRejected() throws IOException {
        Path file = writeSample();
        byte[] b = Files.readAllBytes(file);
        for (int cut : new int[]{3, 20, 60, afterTensorName(b, "b")}) {
            Files.write(file, Arrays.copyOf(b, cut));
            assertFails(file, "sample.gguf: truncated file");
        }
    }

    @Test
    void tensorDataBeyondTheFileIsRejected() throws IOException {
        Path file = writeSample();
        byte[] b = Files.readAllBytes(file);
        // The last tensor (48 bytes of BF16) is followed by 16 bytes of alignment padding; cut into its data.
        Files.write(file, Arrays.copyOf(b, b.length - 20));
        assertFails(file, "sample.gguf: tensor 'b' data");
    }

    @Test
    void unsupportedTensorTypeNamesTypeAndTensor() throws IOException {
        Path file = writeSample();
        patchType(file, "h", 2);
        assertFails(file, "sample.gguf: tensor 'h' has unsupported ggml type 2");
    }

    @Test
    void writerRejectsValuesThatDoNotFitTheShape() {
        assertThrows(IllegalArgumentException.class,
                () -> new GgufWriter().addTensor("x", new long[]{2, 2}, new float[3], DType.F32));
        assertThrows(IllegalArgumentException.class, () -> new GgufWriter().putI32("k", 1).putI32("k", 2));
    }

    private static void assertFails(Path file, String expected) {
        IOException e = assertThrows(IOException.class, () -> GgufFile.open(file).close());
        assertTrue(e.getMessage().startsWith(expected), "expected '" + expected + "' in: " + e.getMessage());
    }

    /** Offset just after the tensor info's name (its n_dims field). */
    private static int afterTensorName(byte[] file, String name) {
        byte[] needle = ByteBuffer.allocate(8 + name.length()).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(name.length()).put(name.getBytes(StandardCharsets.UTF_8)).array();
        int last = -1;
        for (int i = 0; i + needle.length <= file.length; i++) {
            if (Arrays.equals(file, i, i + needle.length, needle, 0, needle.length)) {
                last = i;
            }
        }
        return last + needle.length;
    }

    private static void patchType(Path file, String tensor, int type) throws IOException {
        byte[] b = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int at = afterTensorName(b, tensor);
        int nDims = buf.getInt(at);
        buf.putInt(at + 4 + 8 * nDims, type);
        Files.write(file, b);
    }
}
