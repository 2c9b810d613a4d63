package io.kvasir.engine.gpu;

import io.kvasir.engine.model.RopeScaling;
import io.kvasir.engine.model.RotaryEmbedding;
import io.kvasir.engine.tensor.DType;
import io.kvasir.engine.tensor.VectorOps;
import io.kvasir.engine.tensor.WeightMatrices;
import io.kvasir.engine.tensor.WeightMatrix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;

/**
 * GPU-vs-CPU checks of the dense-layer kernels, on random inputs with shapes that are not multiples of the GPU
 * tiles (so the edge handling is exercised). Used by the tests and by {@link GpuSelfTest}.
 */
public final class DenseKernelChecks {

    private DenseKernelChecks() {
    }

    /**
     * BF16 matmul against {@code Bf16Matrix.multiply}. Two measures, both relative to {@code sum_c |x_c·w_rc|}
     * of each output: against F32 activations the GPU's rounding of each activation to BF16 moves each product by
     * at most 2^-9, so the bound is 2^-9 and the tolerance 2^-8; against the CPU fed the same BF16-rounded
     * activations only the summation differs (tensor cores may align products and truncate while accumulating,
     * at worst about cols·2^-23 ≈ 6e-5 for 520 terms), tolerance 1e-4.
     */
    public static List<Comparison> matmul(int tokens, int rows, int cols, long seed) {
        Random rnd = new Random(seed);
        short[] w = new short[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = Bf16.round(rnd.nextFloat() * 2 - 1);
        }
        float[] x = gaussian(rnd, tokens * cols, 1);
        float[] xRounded = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            xRounded[i] = Bf16.widen(Bf16.round(x[i]));
        }
        MemorySegment segment = Arena.ofAuto().allocate(2L * w.length, 64);
        MemorySegment.copy(w, 0, segment, ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, w.length);
        WeightMatrix cpu = WeightMatrices.wrap(DType.BF16, segment, rows, cols);
        float[] expected = new float[tokens * rows];
        float[] expectedRounded = new float[tokens * rows];
        cpu.multiply(x, expected, tokens);
        cpu.multiply(xRounded, expectedRounded, tokens);

        float[] actual;
        try (DeviceBuffer wb = DeviceBuffer.of(w); DeviceBuffer xb = DeviceBuffer.of(x);
             DeviceBuffer out = DeviceBuffer.allocate((long) tokens * rows * Float.BYTES)) {
            GpuKernels.matmulBf16(wb, xb, out, tokens, rows, cols);
            actual = out.toFloats();
        }
        double vsF32 = 0;
        double vsRounded = 0;
        for (int t = 0; t < tokens; t++) {
            for (int r = 0; r < rows; r++) {
                double magnitude = 0;
                for (int c = 0; c < cols; c++) {
                    magnitude += Math.abs((double) x[t * cols + c] * Bf16.widen(w[r * cols + c]));
                }
                int o = t * rows + r;
                vsF32 = Math.max(vsF32, Math.abs(actual[o] - expected[o]) / magnitude);
                vsRounded = Math.max(vsRounded, Math.abs(actual[o] - expectedRounded[o]) / magnitude);
            }
        }
        String shape = " " + tokens + "x" + cols + " * " + rows + "x" + cols + "^T";
        return List.of(
                new Comparison("matmul_bf16" + shape, "|err|/sum|x*w| vs F32 activations", vsF32, 0x1p-8),
                new Comparison("matmul_bf16" + shape, "|err|/sum|x*w| vs BF16 activations", vsRounded, 1e-4));
    }

    /** RMSNorm against {@code VectorOps.rmsNorm}: both reduce in double; error relative to max(|expected|, 1). */
    public static Comparison rmsNorm(int tokens, int n, long seed) {
        Random rnd = new Random(seed);
        float[] x = gaussian(rnd, tokens * n, 3);
        float[] weight = gaussian(rnd, n, 1);
        float eps = 1e-6f;
        float[] expected = new float[x.length];
        for (int t = 0; t < tokens; t++) {
            VectorOps.rmsNorm(x, t * n, weight, eps, expected, t * n, n);
        }
        float[] actual;
        try (DeviceBuffer xb = DeviceBuffer.of(x); DeviceBuffer wb = DeviceBuffer.of(weight);
             DeviceBuffer out = DeviceBuffer.allocate((long) x.length * Float.BYTES)) {
            GpuKernels.rmsNorm(xb, wb, eps, out, tokens, n);
            actual = out.toFloats();
        }
        return new Comparison("rms_norm " + tokens + "x" + n, "|err|/max(|cpu|,1)", relativeError(actual, expected), 1e-5);
    }

    /** SwiGLU against {@code VectorOps.swiglu}; both F32 with an exp accurate to a few ulp. */
    public static Comparison swiglu(int n, long seed) {
        Random rnd = new Random(seed);
        float[] gate = gaussian(rnd, n, 4);
        float[] up = gaussian(rnd, n, 1);
        float[] expected = new float[n];
        VectorOps.swiglu(gate, up, expected, n);
        float[] actual;
        try (DeviceBuffer g = DeviceBuffer.of(gate); DeviceBuffer u = DeviceBuffer.of(up);
             DeviceBuffer out = DeviceBuffer.allocate((long) n * Float.BYTES)) {
            GpuKernels.swiglu(g, u, out, n);
            actual = out.toFloats();
        }
        return new Comparison("swiglu " + n, "|err|/max(|cpu|,1)", relativeError(actual, expected), 1e-5);
    }

    /**
     * RoPE against {@code RotaryEmbedding.angles + rotate} at random positions up to 131072, with plain and YaRN
     * frequencies: angles and cos/sin are double on both sides, so only F32 rounding of the rotation differs.
     */
    public static Comparison rope(RopeScaling scaling, int tokens, int heads, int headDim, long seed) {
        RotaryEmbedding rotary = new RotaryEmbedding(headDim, 1_000_000, scaling, 131_072);
        Random rnd = new Random(seed);
        int[] positions = new int[tokens];
        for (int t = 0; t < tokens; t++) {
            positions[t] = rnd.nextInt(131_072);
        }
        float[] x = gaussian(rnd, tokens * heads * headDim, 1);
        float[] expected = x.clone();
        float[] cos = new float[headDim / 2];
        float[] sin = new float[headDim / 2];
        for (int t = 0; t < tokens; t++) {
            rotary.angles(positions[t], cos, sin);
            rotary.rotate(expected, t * heads * headDim, heads, cos, sin, 0);
        }
        double[] inverseFrequencies = new double[headDim / 2];
        for (int i = 0; i < inverseFrequencies.length; i++) {
            inverseFrequencies[i] = rotary.inverseFrequency(i);
        }
        float[] actual;
        try (DeviceBuffer xb = DeviceBuffer.of(x); DeviceBuffer pb = DeviceBuffer.of(positions);
             DeviceBuffer fb = DeviceBuffer.of(inverseFrequencies)) {
            GpuKernels.rope(xb, pb, fb, rotary.attentionScale(), tokens, heads, headDim);
            actual = xb.toFloats();
        }
        return new Comparison("rope " + scaling.type() + " " + tokens + "x" + heads + "x" + headDim,
                "|err|/max(|cpu|,1)", relativeError(actual, expected), 1e-5);
    }

    static float[] gaussian(Random rnd, int n, double sigma) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextGaussian() * sigma);
        }
        return v;
    }

    /** max |a - e| / max(|e|, 1); NaN anywhere makes it NaN, so the check fails. */
    static double relativeError(float[] actual, float[] expected) {
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), 1.0);
            if (Double.isNaN(err)) {
                return Double.NaN;
            }
            worst = Math.max(worst, err);
        }
        return worst;
    }
}
