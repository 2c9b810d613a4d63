package io.kvasir.engine.model.format;

import io.kvasir.engine.model.HostTensor;
import io.kvasir.engine.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {

    @TempDir
    Path dir;

    private static final Random RND = new Random(7);

    private static HostTensor random(String name, long... shape) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) RND.nextGaussian() * 3;
        }
        return new HostTensor(name, shape, v);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void roundTripsEachDtype(DType dtype) throws IOException {
        List<HostTensor> written = List.of(random("a.weight", 3, 5), random("b.bias", 7), random("c", 2, 3, 4));
        SafetensorsWriter.write(dir.resolve(SafetensorsCheckpoint.SINGLE), written, dtype, Map.of("format", "pt"));

        byte[] file = Files.readAllBytes(dir.resolve(SafetensorsCheckpoint.SINGLE));
        long headerLen = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + headerLen) % 8, "data section must start 8-byte aligned");
        assertTrue(new String(file, 8, (int) headerLen, StandardCharsets.UTF_8).contains("\"__metadata__\":{\"format\":\"pt\"}"));

        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(dir)) {
            assertEquals(List.of("a.weight", "b.bias", "c"), List.copyOf(ckpt.tensors().keySet()));
            for (HostTensor h : written) {
                Tensor t = ckpt.require(h.name());
                assertEquals(dtype, t.dtype());
                assertArrayEquals(h.shape(), t.shape());
                float[] back = t.toFloats();
                for (int i = 0; i < back.length; i++) {
                    assertEquals(rounded(dtype, h.values()[i]), back[i], 0.0, h.name() + "[" + i + "]");
                    assertEquals(h.values()[i], back[i], Math.abs(h.values()[i]) * relativeError(dtype));
                }
            }
        }
    }

    private static float rounded(DType dtype, float v) {
        return switch (dtype) {
            case F16 -> Float.float16ToFloat(Float.floatToFloat16(v));
            case BF16 -> FloatCodec.bf16ToFloat(FloatCodec.floatToBf16(v));
            default -> v;
        };
    }

    private static double relativeError(DType dtype) {
        return switch (dtype) {
            case F16 -> 0x1p-11;
            case BF16 -> 0x1p-8;
            default -> 0;
        };
    }

    @Test
    void bf16RoundsToNearestEven() {
        // 1 + 2^-8 lies halfway between BF16 neighbours 1 and 1 + 2^-7: ties go to the even mantissa (1).
        assertEquals(1f, FloatCodec.bf16ToFloat(FloatCodec.floatToBf16(1f + 0x1p-8f)));
        // 1 + 3*2^-8 lies halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even).
        assertEquals(1f + 0x1p-6f, FloatCodec.bf16ToFloat(FloatCodec.floatToBf16(1f + 3 * 0x1p-8f)));
        // Just above the halfway point rounds up.
        assertEquals(1f + 0x1p-7f, FloatCodec.bf16ToFloat(FloatCodec.floatToBf16(1f + 0x1p-8f + 0x1p-20f)));
        assertTrue(Float.isNaN(FloatCodec.bf16ToFloat(FloatCodec.floatToBf16(Float.NaN))));
    }

    @Test
    void readsShardedCheckpointThroughIndex() throws IOException {
        SafetensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"),
                List.of(random("x", 4, 2), random("y", 3)), DType.F32, Map.of());
        SafetensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"),
                List.of(random("z", 2, 2)), DType.BF16, Map.of());
        Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX), """
                {"metadata": {"total_size": 60}, "weight_map": {
                  "x": "model-00001-of-00002.safetensors",
                  "y": "model-00001-of-00002.safetensors",
                  "z": "model-00002-of-00002.safetensors"}}""");
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(dir)) {
            assertEquals(List.of("x", "y", "z"), List.copyOf(ckpt.tensors().keySet()));
            assertEquals(DType.F32, ckpt.require("x").dtype());
            assertEquals(DType.BF16, ckpt.require("z").dtype());
            assertTrue(ckpt.find("w").isEmpty());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ckpt.require("w"));
            assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains(dir.toString()), e.getMessage());
        }
    }

    @Test
    void indexNamingATensorMissingFromItsShardFails() throws IOException {
        SafetensorsWriter.write(dir.resolve("shard.safetensors"), List.of(random("x", 2)), DType.F32, Map.of());
        Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX),
                "{\"weight_map\": {\"x\": \"shard.safetensors\", \"y\": \"shard.safetensors\"}}");
        assertFails("shard.safetensors: tensor 'y' listed in");
    }

    @Test
    void fileShorterThanTheLengthFieldIsATruncatedHeader() throws IOException {
        Files.write(dir.resolve(SafetensorsCheckpoint.SINGLE), new byte[]{1, 2, 3});
        assertFails("model.safetensors: truncated header");
    }

    @Test
    void headerLongerThanTheFileIsATruncatedHeader() throws IOException {
        writeRaw("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, 1000);
        assertFails("model.safetensors: truncated header");
    }

    @Test
    void absurdHeaderLengthIsRejected() throws IOException {
        writeRaw("{}", 0, Long.MAX_VALUE);
        assertFails("model.safetensors: implausible header length");
    }

    @Test
    void headerThatIsNotJsonIsRejected() throws IOException {
        writeRaw("{\"x\": [", 0, -1);
        assertFails("model.safetensors: header is not valid JSON");
    }

    @Test
    void unsupportedDtypeIsNamed() throws IOException {
        writeRaw("{\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8, -1);
        assertFails("model.safetensors: tensor 'ids' has unsupported dtype 'I64'");
    }

    @Test
    void offsetsBeyondTheFileAreRejected() throws IOException {
        writeRaw("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8, -1);
        assertFails("model.safetensors: tensor 'x' data_offsets [0,16] exceed file size");
    }

    @Test
    void offsetsInconsistentWithShapeAreRejected() throws IOException {
        writeRaw("{\"x\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,8]}}", 16, -1);
        assertFails("model.safetensors: tensor 'x' data_offsets [0,8] hold 8 bytes but F16 [2, 3] needs 12");
    }

    @Test
    void missingFileNamesIt() {
        assertFails("model.safetensors: cannot map");
    }

    /** Writes header text padded to 8 bytes and {@code dataBytes} zero bytes; {@code headerLen} overrides the length field. */
    private void writeRaw(String header, int dataBytes, long headerLen) throws IOException {
        byte[] text = header.getBytes(StandardCharsets.UTF_8);
        int padded = (text.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLen >= 0 ? headerLen : padded).put(text);
        while (b.position() < 8 + padded) {
            b.put((byte) ' ');
        }
        Files.write(dir.resolve(SafetensorsCheckpoint.SINGLE), b.array());
    }

    private void assertFails(String expected) {
        IOException e = assertThrows(IOException.class, () -> SafetensorsCheckpoint.open(dir).close());
        assertTrue(e.getMessage().startsWith(expected) || e.getMessage().contains(expected),
                "expected '" + expected + "' in: " + e.getMessage());
    }
}
