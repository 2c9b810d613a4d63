package io.kvasir.engine.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Frequencies against hand-derived values of the HF formulas (float64, so 1e-12 relative). */
class RotaryEmbeddingTest {

    @Test
    void defaultFrequenciesAreThetaPowers() {
        RotaryEmbedding rope = new RotaryEmbedding(8, 10000, RopeScaling.NONE, 2048);
        assertEquals(1.0, rope.inverseFrequency(0), 1e-12);
        assertEquals(Math.pow(10000, -2.0 / 8), rope.inverseFrequency(1), 1e-12);
        assertEquals(Math.pow(10000, -6.0 / 8), rope.inverseFrequency(3), 1e-12);
    }

    @Test
    void rotationPairsElementWithItsHalfPartner() {
        RotaryEmbedding rope = new RotaryEmbedding(4, 10000, RopeScaling.NONE, 2048);
        float[] cos = new float[2], sin = new float[2];
        rope.angles(3, cos, sin);
        float[] x = {1, 2, 3, 4};
        rope.rotate(x, 0, 1, cos, sin, 0);
        double a0 = 3 * 1.0, a1 = 3 * Math.pow(10000, -0.5);
        assertEquals(1 * Math.cos(a0) - 3 * Math.sin(a0), x[0], 1e-6);
        assertEquals(3 * Math.cos(a0) + 1 * Math.sin(a0), x[2], 1e-6);
        assertEquals(2 * Math.cos(a1) - 4 * Math.sin(a1), x[1], 1e-6);
        assertEquals(4 * Math.cos(a1) + 2 * Math.sin(a1), x[3], 1e-6);
    }

    @Test
    void llama3KeepsHighFrequenciesAndDividesLowOnes() {
        RopeScaling s = new RopeScaling("llama3", 8, 8192, 32, 1, 1, 4);
        RotaryEmbedding rope = new RotaryEmbedding(128, 500000, s, 131072);
        assertEquals(1.0, rope.inverseFrequency(0), 1e-12);                          // wavelength 2π < 2048
        double lowest = Math.pow(500000, -126.0 / 128);                             // wavelength ≫ 8192
        assertEquals(lowest / 8, rope.inverseFrequency(63), 1e-15);
    }

    @Test
    void yarnInterpolatesSlowDimensionsAndScalesAttention() {
        RopeScaling s = new RopeScaling("yarn", 4, 32768, 32, 1, 1, 4);
        RotaryEmbedding rope = new RotaryEmbedding(128, 1_000_000, s, 131072);
        assertEquals(1.0, rope.inverseFrequency(0), 1e-12);
        assertEquals(Math.pow(1_000_000, -126.0 / 128) / 4, rope.inverseFrequency(63), 1e-15);
        float[] cos = new float[64], sin = new float[64];
        rope.angles(0, cos, sin);
        assertEquals(0.1 * Math.log(4) + 1, cos[0], 1e-6);                            // mscale folded into cos
    }
}
