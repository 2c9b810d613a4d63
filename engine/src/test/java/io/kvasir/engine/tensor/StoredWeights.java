package io.kvasir.engine.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Random weights written in a dtype's byte format at an odd (unaligned) offset of a segment, plus the exact values
 * they decode to, computed with plain scalar JDK conversions independent of the kernels.
 */
record StoredWeights(WeightMatrix matrix, double[][] values) {

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Odd, so no load in the kernels is aligned to anything. */
    static final long UNALIGNED_OFFSET = 3;

    static StoredWeights random(DType dtype, int rows, int cols, Arena arena, Random random) {
        long bytes = dtype.bytesFor((long) rows * cols);
        MemorySegment data = arena.allocate(bytes + UNALIGNED_OFFSET, 64).asSlice(UNALIGNED_OFFSET, bytes);
        double[][] values = new double[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                float x = (float) random.nextGaussian();
                long i = (long) r * cols + c;
                switch (dtype) {
                    case F32 -> {
                        data.set(FLOAT, 4 * i, x);
                        values[r][c] = x;
                    }
                    case BF16 -> {
                        short bits = (short) (Float.floatToRawIntBits(x) >>> 16);
                        data.set(SHORT, 2 * i, bits);
                        values[r][c] = Float.intBitsToFloat(bits << 16);
                    }
                    case F16 -> {
                        short bits = Float.floatToFloat16(x);
                        data.set(SHORT, 2 * i, bits);
                        values[r][c] = Float.float16ToFloat(bits);
                    }
                    case Q8_0 -> {
                        long block = r * (long) (cols / 32) + c / 32;
                        long o = block * 34;
                        if (c % 32 == 0) {
                            data.set(SHORT, o, Float.floatToFloat16(0.001f + random.nextFloat() * 0.05f));
                        }
                        byte q = (byte) (random.nextInt(255) - 127);
                        data.set(ValueLayout.JAVA_BYTE, o + 2 + c % 32, q);
                        values[r][c] = Float.float16ToFloat(data.get(SHORT, o)) * (double) q;
                    }
                }
            }
        }
        return new StoredWeights(WeightMatrices.wrap(dtype, data, rows, cols), values);
    }
}
