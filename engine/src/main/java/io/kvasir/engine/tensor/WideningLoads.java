package io.kvasir.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Loads F32/BF16/F16/int8 weights from little-endian, possibly unaligned memory as F32 vectors of the preferred
 * species, and the scalar equivalents for loop tails. Narrow types use a narrower species with the same lane count,
 * so one load always widens to exactly one float vector.
 */
final class WideningLoads {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int LANES = F.length();
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> S =
            VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final VectorSpecies<Byte> B =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(F.vectorBitSize() / 4));

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    private WideningLoads() {
    }

    static FloatVector f32(MemorySegment data, long offset) {
        return FloatVector.fromMemorySegment(F, data, offset, LE);
    }

    /** BF16 is the upper half of an F32: widen, shift into place (the sign-extended bits fall off the top). */
    static FloatVector bf16(MemorySegment data, long offset) {
        return ((IntVector) ShortVector.fromMemorySegment(S, data, offset, LE).convertShape(VectorOperators.S2I, I, 0))
                .lanewise(VectorOperators.LSHL, 16)
                .reinterpretAsFloats();
    }

    static FloatVector f16(MemorySegment data, long offset) {
        return halfBitsToFloat((IntVector) ShortVector.fromMemorySegment(S, data, offset, LE)
                .convertShape(VectorOperators.S2I, I, 0));
    }

    /** Signed bytes widened to floats (Q8_0 quants). */
    static FloatVector int8(MemorySegment data, long offset) {
        return (FloatVector) ByteVector.fromMemorySegment(B, data, offset, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    /**
     * IEEE half to float for sign-extended half bits. Placing exponent and mantissa 13 bits up gives a float whose
     * value is the half's magnitude times 2^-112 (exactly, normal or subnormal), so one multiply by 2^112 finishes
     * every finite value; infinities and NaNs get the all-ones float exponent instead.
     */
    static FloatVector halfBitsToFloat(IntVector half) {
        IntVector magnitude = half.and(0x7FFF);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        IntVector finite = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        VectorMask<Integer> special = magnitude.compare(VectorOperators.GE, 0x7C00);
        IntVector bits = finite.blend(shifted.or(0x7F800000), special);
        IntVector sign = half.lanewise(VectorOperators.LSHL, 16).and(0x80000000);
        return bits.or(sign).reinterpretAsFloats();
    }

    static float bf16Scalar(MemorySegment data, long offset) {
        return Float.intBitsToFloat(data.get(SHORT_LE, offset) << 16);
    }

    static float f16Scalar(MemorySegment data, long offset) {
        return Float.float16ToFloat(data.get(SHORT_LE, offset));
    }
}
