package io.kvasir.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link WeightMatrices#quantizeQ8_0} against a scalar transcription of GGML's quantize_row_q8_0_ref. */
class Q8QuantizationTest {

    /** GGML: d = amax / 127, id = 1 / d (from the F32 d), q = roundf(x * id) (half away from zero), d stored as F16. */
    private static byte[] reference(float[] row) {
        byte[] out = new byte[row.length / 32 * 34];
        for (int b = 0; b < row.length / 32; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(row[b * 32 + j]));
            }
            float d = amax / 127f;
            float id = d == 0 ? 0 : 1f / d;
            short half = Float.floatToFloat16(d);
            out[b * 34] = (byte) half;
            out[b * 34 + 1] = (byte) (half >> 8);
            for (int j = 0; j < 32; j++) {
                double v = row[b * 32 + j] * id;
                out[b * 34 + 2 + j] = (byte) (v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5));
            }
        }
        return out;
    }

    private static byte[] quantized(float[] values, int rows, int cols, Arena arena) {
        Q8Matrix q = (Q8Matrix) WeightMatrices.quantizeQ8_0(WeightMatrices.ofFloats(values, rows, cols), arena);
        return q.data.asSlice(0, DType.Q8_0.bytesFor((long) rows * cols)).toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void matchesGgmlRuleByteForByte() {
        int rows = 70;
        int cols = 96;
        Random random = new Random(5);
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * Math.exp(random.nextGaussian() * 3));
        }
        // An all-zero block (d = 0, so every q must be 0, not NaN) and a block with one outlier.
        java.util.Arrays.fill(values, 32, 64, 0f);
        values[200] = 1e4f;
        try (Arena arena = Arena.ofShared()) {
            byte[] got = quantized(values, rows, cols, arena);
            for (int r = 0; r < rows; r++) {
                float[] row = java.util.Arrays.copyOfRange(values, r * cols, (r + 1) * cols);
                byte[] want = reference(row);
                byte[] gotRow = java.util.Arrays.copyOfRange(got, r * want.length, (r + 1) * want.length);
                assertArrayEquals(want, gotRow, "row " + r);
            }
        }
    }

    @Test
    void roundsHalvesAwayFromZero() {
        float[] block = new float[32];
        block[0] = 127f;   // amax 127: d = 1 exactly, so x * id = x
        block[1] = 2.5f;
        block[2] = -2.5f;
        block[3] = 0.5f;
        block[4] = -0.5f;
        block[5] = -126.5f;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment q = MemorySegment.ofArray(quantized(block, 1, 32, arena));
            assertEquals(1f, Float.float16ToFloat(q.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0)));
            byte[] want = {127, 3, -3, 1, -1, -127};
            for (int j = 0; j < want.length; j++) {
                assertEquals(want[j], q.get(ValueLayout.JAVA_BYTE, 2 + j), "q[" + j + "]");
            }
        }
    }

    @Test
    void dequantizedValuesStayWithinHalfAStep() {
        Random random = new Random(9);
        float[] values = new float[4 * 64];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        try (Arena arena = Arena.ofShared()) {
            WeightMatrix q = WeightMatrices.quantizeQ8_0(WeightMatrices.ofFloats(values, 4, 64), arena);
            float[] row = new float[64];
            for (int r = 0; r < 4; r++) {
                q.copyRow(r, row, 0);
                for (int c = 0; c < 64; c++) {
                    float amax = 0;
                    for (int j = c / 32 * 32; j < c / 32 * 32 + 32; j++) {
                        amax = Math.max(amax, Math.abs(values[r * 64 + j]));
                    }
                    // Half a quantization step, plus the F16 rounding of the scale applied to up to 127 steps.
                    double step = amax / 127.0;
                    double tolerance = step / 2 + 127 * step * 0x1p-11;
                    assertEquals(values[r * 64 + c], row[c], tolerance, "r " + r + " c " + c);
                }
            }
        }
    }
}
