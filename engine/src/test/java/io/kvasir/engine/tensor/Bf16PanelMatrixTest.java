package io.kvasir.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * BF16 weights re-laid as GEMM panels: products against a float64 reference over the stored values, for row counts
 * that do and do not fill the last 64-row tile and for every kernel (one token, two to four, groups of six, token
 * ranges split over the pool); and batch invariance, bit for bit: a token's outputs inside any batch equal its
 * outputs multiplied alone.
 */
class Bf16PanelMatrixTest {

    private static final int[] TOKENS = {1, 2, 3, 4, 5, 6, 7, 12, 13, 32, 50, 97};

    @Test
    void productsMatchTheFloat64Reference() {
        Random random = new Random(11);
        try (Arena arena = Arena.ofShared()) {
            for (int[] shape : new int[][]{{64, 64}, {100, 96}, {259, 200}, {3, 300}, {1030, 40}}) {
                StoredWeights stored = StoredWeights.random(DType.BF16, shape[0], shape[1], arena, random);
                WeightMatrix panels = WeightMatrices.resident(stored.matrix(), arena);
                assertInstanceOf(Bf16PanelMatrix.class, panels);
                for (int tokens : TOKENS) {
                    float[] in = gaussian(random, tokens * shape[1]);
                    float[] out = new float[tokens * shape[0]];
                    panels.multiply(in, out, tokens);
                    for (int t = 0; t < tokens; t++) {
                        for (int r = 0; r < shape[0]; r++) {
                            double want = 0;
                            double scale = 0;
                            for (int c = 0; c < shape[1]; c++) {
                                want += stored.values()[r][c] * in[t * shape[1] + c];
                                scale += Math.abs(stored.values()[r][c] * in[t * shape[1] + c]);
                            }
                            // F32 accumulation over at most 300 terms: well inside 1e-5 of the absolute sum.
                            assertEquals(want, out[t * shape[0] + r], 1e-5 * scale + 1e-6,
                                    Arrays.toString(shape) + ", " + tokens + " tokens, token " + t + ", row " + r);
                        }
                    }
                }
            }
        }
    }

    @Test
    void aTokenGetsTheSameBitsInAnyBatch() {
        Random random = new Random(12);
        try (Arena arena = Arena.ofShared()) {
            int rows = 1030;
            int cols = 520;
            WeightMatrix panels = WeightMatrices.resident(
                    StoredWeights.random(DType.BF16, rows, cols, arena, random).matrix(), arena);
            for (int tokens : TOKENS) {
                float[] in = gaussian(random, tokens * cols);
                float[] batch = new float[tokens * rows];
                panels.multiply(in, batch, tokens);
                for (int t = 0; t < tokens; t++) {
                    float[] alone = new float[rows];
                    panels.multiply(Arrays.copyOfRange(in, t * cols, (t + 1) * cols), alone, 1);
                    assertArrayEquals(alone, Arrays.copyOfRange(batch, t * rows, (t + 1) * rows),
                            "token " + t + " of " + tokens);
                }
            }
        }
    }

    @Test
    void rowsReadBackAsStored() {
        Random random = new Random(13);
        try (Arena arena = Arena.ofShared()) {
            StoredWeights stored = StoredWeights.random(DType.BF16, 70, 33, arena, random);
            WeightMatrix panels = WeightMatrices.resident(stored.matrix(), arena);
            float[] row = new float[33];
            for (int r = 0; r < 70; r++) {
                panels.copyRow(r, row, 0);
                for (int c = 0; c < 33; c++) {
                    assertEquals(stored.values()[r][c], row[c], 0.0, "row " + r + ", column " + c);
                }
            }
        }
    }

    private static float[] gaussian(Random random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
