package io.kvasir.engine.model.format;

import io.kvasir.engine.tensor.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Scalar conversion between F32 and the stored element types (little-endian, no alignment assumed). */
final class FloatCodec {

    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    private FloatCodec() {
    }

    static float[] decode(DType dtype, MemorySegment data, int count) {
        float[] out = new float[count];
        switch (dtype) {
            case F32 -> MemorySegment.copy(data, F32, 0, out, 0, count);
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = Float.float16ToFloat(data.getAtIndex(I16, i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = bf16ToFloat(data.getAtIndex(I16, i));
                }
            }
            case Q8_0 -> {
                int blockBytes = Math.toIntExact(DType.Q8_0.bytesFor(DType.Q8_0.blockSize()));
                for (int b = 0; b < count / DType.Q8_0.blockSize(); b++) {
                    long base = (long) b * blockBytes;
                    float scale = Float.float16ToFloat(data.get(I16, base));
                    for (int j = 0; j < DType.Q8_0.blockSize(); j++) {
                        out[b * DType.Q8_0.blockSize() + j] = scale * data.get(ValueLayout.JAVA_BYTE, base + 2 + j);
                    }
                }
            }
        }
        return out;
    }

    /** Encodes F32, F16 or BF16 into {@code dst} starting at byte {@code offset}. */
    static void encode(DType dtype, float[] values, MemorySegment dst, long offset) {
        switch (dtype) {
            case F32 -> MemorySegment.copy(values, 0, dst, F32, offset, values.length);
            case F16 -> {
                for (int i = 0; i < values.length; i++) {
                    dst.set(I16, offset + 2L * i, Float.floatToFloat16(values[i]));
                }
            }
            case BF16 -> {
                for (int i = 0; i < values.length; i++) {
                    dst.set(I16, offset + 2L * i, floatToBf16(values[i]));
                }
            }
            case Q8_0 -> throw new IllegalArgumentException("writing Q8_0 is not supported");
        }
    }

    static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** Round-to-nearest-even on the 16 dropped mantissa bits; NaN stays a (quiet) NaN. */
    static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7fff + lsb) >>> 16);
    }
}
