package io.kvasir.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Products sharing an input as one job, and matrices copied into placed memory, give the plain products. Not bit for
 * bit: a kernel's lane reduction runs in a different order before and after the JIT compiles it, so results are
 * compared within 1e-5 relative — far below what a wrong row or a missed column (about 1/200 of a sum) would change.
 */
class SharedInputProductsTest {

    private static final int COLS = 200;

    @Test
    void oneJobEqualsEachProductOnItsOwn() {
        Random random = new Random(3);
        try (Arena arena = Arena.ofShared()) {
            // Different dtypes and row counts (q, k and v of a GQA layer are 4:1:1), including rows fewer than an item.
            WeightMatrix[] matrices = {
                    StoredWeights.random(DType.BF16, 259, COLS, arena, random).matrix(),
                    StoredWeights.random(DType.F32, 64, COLS, arena, random).matrix(),
                    StoredWeights.random(DType.F16, 3, COLS, arena, random).matrix(),
                    WeightMatrices.resident(StoredWeights.random(DType.BF16, 130, COLS, arena, random).matrix(), arena)};
            SharedInputProducts together = new SharedInputProducts(matrices);
            for (int tokens : new int[]{1, 3, 50}) {
                float[] in = new float[tokens * COLS];
                for (int i = 0; i < in.length; i++) {
                    in[i] = (float) random.nextGaussian();
                }
                float[][] outs = new float[matrices.length][];
                for (int m = 0; m < matrices.length; m++) {
                    outs[m] = new float[tokens * matrices[m].rows()];
                }
                together.multiply(in, outs, tokens);
                for (int m = 0; m < matrices.length; m++) {
                    float[] alone = new float[tokens * matrices[m].rows()];
                    matrices[m].multiply(in, alone, tokens);
                    assertClose(alone, outs[m], "matrix " + m + ", " + tokens + " tokens");
                }
            }
        }
    }

    @Test
    void matricesOfDifferentWidthsAreRefused() {
        Random random = new Random(4);
        try (Arena arena = Arena.ofShared()) {
            WeightMatrix a = StoredWeights.random(DType.F32, 4, COLS, arena, random).matrix();
            WeightMatrix b = StoredWeights.random(DType.F32, 4, COLS + 1, arena, random).matrix();
            assertThrows(IllegalArgumentException.class, () -> new SharedInputProducts(a, b));
        }
    }

    @Test
    void residentCopyIsPlacedAndMultipliesTheSame() {
        Random random = new Random(5);
        try (Arena arena = Arena.ofShared()) {
            for (DType dtype : new DType[]{DType.BF16, DType.F32, DType.F16, DType.Q8_0}) {
                WeightMatrix stored = StoredWeights.random(dtype, 37, 96, arena, random).matrix();
                WeightMatrix resident = WeightMatrices.resident(stored, arena);
                long address = resident instanceof Bf16PanelMatrix panels
                        ? panels.data().address() : ((SegmentMatrix) resident).data.address();
                assertEquals(WeightPlacement.OFFSET, address % WeightPlacement.PAGE, dtype + " placement");
                for (int tokens : new int[]{1, 5}) {
                    float[] in = new float[tokens * 96];
                    for (int i = 0; i < in.length; i++) {
                        in[i] = (float) random.nextGaussian();
                    }
                    float[] want = new float[tokens * 37];
                    float[] got = new float[tokens * 37];
                    stored.multiply(in, want, tokens);
                    resident.multiply(in, got, tokens);
                    assertClose(want, got, dtype + ", " + tokens + " tokens");
                }
            }
        }
    }

    private static void assertClose(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-5 * (1 + Math.abs(want[i])), what + " at " + i);
        }
    }
}
