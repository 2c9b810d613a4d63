package io.kvasir.engine.gpu;

/** BF16 bit patterns: the upper half of an F32, rounded to nearest even (as the GPU's __float2bfloat16_rn). */
final class Bf16 {

    private Bf16() {
    }

    static short round(float f) {
        int bits = Float.floatToRawIntBits(f);
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    static float widen(short s) {
        return Float.intBitsToFloat(s << 16);
    }
}
