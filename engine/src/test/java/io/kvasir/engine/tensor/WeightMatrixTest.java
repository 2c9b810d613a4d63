package io.kvasir.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every matrix-product path (one-token GEMV, batched GEMV, tiled GEMM) for every dtype, against a float64 product
 * of the decoded weights. Shapes are chosen to leave tails everywhere: rows not a multiple of 4 or of the 64-row
 * tile, columns not a multiple of the vector width or of the 256-column block, tokens not a multiple of 4 or 6,
 * both sides of the batched-GEMV/GEMM switch (47, 48), and enough tokens (150) for the GEMM to split tokens
 * across tasks.
 */
class WeightMatrixTest {

    private static final int[] TOKENS = {1, 2, 3, 5, 17, 47, 48, 70, 150};

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (DType dtype : DType.values()) {
            int[][] shapes = dtype == DType.Q8_0
                    ? new int[][] {{67, 96}, {130, 544}, {5, 1024}, {1, 32}}
                    : new int[][] {{67, 131}, {130, 517}, {5, 1000}, {1, 1}, {3, 16}};
            for (int[] shape : shapes) {
                cases.add(Arguments.of(dtype, shape[0], shape[1]));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}x{2}")
    @MethodSource("cases")
    void multiplyMatchesFloat64Reference(DType dtype, int rows, int cols) {
        Random random = new Random(31L * rows + cols + dtype.ordinal());
        try (Arena arena = Arena.ofShared()) {
            StoredWeights w = StoredWeights.random(dtype, rows, cols, arena, random);
            for (int tokens : TOKENS) {
                int inOffset = 5;
                int outOffset = 7;
                float[] in = new float[inOffset + tokens * cols];
                for (int i = inOffset; i < in.length; i++) {
                    in[i] = (float) random.nextGaussian();
                }
                float[] out = new float[outOffset + tokens * rows + 3];
                w.matrix().multiply(in, inOffset, out, outOffset, tokens);
                for (int t = 0; t < tokens; t++) {
                    for (int r = 0; r < rows; r++) {
                        double sum = 0;
                        double magnitude = 0;
                        for (int c = 0; c < cols; c++) {
                            double p = w.values()[r][c] * in[inOffset + t * cols + c];
                            sum += p;
                            magnitude += Math.abs(p);
                        }
                        // The weights are exact in both, so only F32 rounding in the kernel's accumulation differs:
                        // a sum of k products in some order errs by about sqrt(k) ulps of the sum of magnitudes
                        // (random rounding), with a hard bound of k ulps. 8 sqrt(k) ulps is far from both, yet a
                        // single wrong or missing product (about magnitude / k) is well outside it.
                        double tolerance = 8 * Math.sqrt(cols) * 0x1p-24 * magnitude;
                        float got = out[outOffset + t * rows + r];
                        if (!(Math.abs(got - sum) <= tolerance)) {
                            fail(String.format("%s %dx%d tokens=%d t=%d r=%d: got %s, want %s (tolerance %s)",
                                    dtype, rows, cols, tokens, t, r, got, sum, tolerance));
                        }
                    }
                }
                for (int i = 0; i < outOffset; i++) {
                    assertEquals(0f, out[i], "wrote before outOffset");
                }
                for (int i = outOffset + tokens * rows; i < out.length; i++) {
                    assertEquals(0f, out[i], "wrote past the output");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}x{2}")
    @MethodSource("cases")
    void copyRowDecodesExactly(DType dtype, int rows, int cols) {
        try (Arena arena = Arena.ofShared()) {
            StoredWeights w = StoredWeights.random(dtype, rows, cols, arena, new Random(7));
            float[] row = new float[cols + 2];
            for (int r = 0; r < rows; r++) {
                w.matrix().copyRow(r, row, 2);
                for (int c = 0; c < cols; c++) {
                    // Decoding is exact for every format (Q8_0: an F16 scale times a small integer fits in F32).
                    assertEquals((float) w.values()[r][c], row[2 + c], "row " + r + " col " + c);
                }
            }
        }
    }
}
