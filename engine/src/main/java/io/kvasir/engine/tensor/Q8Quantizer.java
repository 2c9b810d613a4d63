package io.kvasir.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Load-time quantization to Q8_0 with GGML's rule: per block of 32, {@code d = max|x| / 127} stored as F16, and
 * {@code q = round(x / d)} rounding half away from zero, where {@code 1/d} is taken from the unrounded F32 {@code d}.
 */
final class Q8Quantizer {

    private Q8Quantizer() {
    }

    /** Quantizes {@code cols} floats of {@code x} into {@code dst} at {@code offset} (cols / 32 blocks). */
    static void quantizeRow(float[] x, int cols, MemorySegment dst, long offset) {
        for (int b = 0; b < cols / Q8Matrix.BLOCK; b++) {
            int base = b * Q8Matrix.BLOCK;
            float amax = 0f;
            for (int j = 0; j < Q8Matrix.BLOCK; j++) {
                amax = Math.max(amax, Math.abs(x[base + j]));
            }
            float d = amax / 127f;
            float id = d != 0f ? 1f / d : 0f;
            long o = offset + (long) b * Q8Matrix.BLOCK_BYTES;
            dst.set(WideningLoads.SHORT_LE, o, Float.floatToFloat16(d));
            for (int j = 0; j < Q8Matrix.BLOCK; j++) {
                dst.set(ValueLayout.JAVA_BYTE, o + 2 + j, (byte) roundHalfAway(x[base + j] * id));
            }
        }
    }

    /** C's roundf; Math.round alone rounds -2.5 to -2. */
    private static int roundHalfAway(float v) {
        int magnitude = Math.round(Math.abs(v));
        return v < 0 ? -magnitude : magnitude;
    }
}
