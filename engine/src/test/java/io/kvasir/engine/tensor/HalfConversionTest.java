package io.kvasir.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * The vectorized F16 and BF16 widening is exact for every one of the 65,536 bit patterns (zeros, subnormals,
 * normals, infinities, NaNs), in the vector loop and the scalar tail, against the JDK's scalar conversions.
 */
class HalfConversionTest {

    /** Every pattern, then five more so the row ends in a scalar tail. */
    private static final int COLS = 65_536 + 5;

    private static float[] decodeAll(DType dtype) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment data = arena.allocate(2L * COLS + 1).asSlice(1);
            for (int i = 0; i < COLS; i++) {
                data.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * i, (short) i);
            }
            float[] row = new float[COLS];
            WeightMatrices.wrap(dtype, data, 1, COLS).copyRow(0, row, 0);
            return row;
        }
    }

    @Test
    void f16() {
        float[] row = decodeAll(DType.F16);
        for (int i = 0; i < COLS; i++) {
            float want = Float.float16ToFloat((short) i);
            if (Float.isNaN(want)) {
                // The JDK quiets signalling NaNs, the vector path keeps the payload as is: either is a NaN.
                assertTrue(Float.isNaN(row[i]), "F16 0x" + Integer.toHexString(i & 0xFFFF));
                continue;
            }
            // Bit equality, so -0 counts too.
            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(row[i]),
                    "F16 0x" + Integer.toHexString(i & 0xFFFF));
        }
    }

    @Test
    void bf16() {
        float[] row = decodeAll(DType.BF16);
        for (int i = 0; i < COLS; i++) {
            int want = (i & 0xFFFF) << 16;
            assertEquals(want, Float.floatToRawIntBits(row[i]), "BF16 0x" + Integer.toHexString(i & 0xFFFF));
        }
    }
}
