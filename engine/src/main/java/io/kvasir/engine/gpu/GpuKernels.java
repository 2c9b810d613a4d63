package io.kvasir.engine.gpu;

/**
 * The dense-layer kernels on device buffers, each the twin of a CPU kernel: {@code matmulBf16} of
 * {@code WeightMatrix.multiply} on BF16 weights, {@code rmsNorm}, {@code swiglu} of {@code VectorOps}, {@code rope} of
 * {@code RotaryEmbedding}. Launches are asynchronous; read results (or call {@link CudaDevice#synchronize()}) to wait.
 */
public final class GpuKernels {

    private static final int MATMUL_TILE = 64;
    private static final int MATMUL_THREADS = 128;
    private static final int ROW_THREADS = 256;

    private GpuKernels() {
    }

    /**
     * {@code out[t][r] = sum_c in[t][c] * W[r][c]}: {@code weights} are {@code rows x cols} BF16 bit patterns,
     * {@code in} is {@code tokens x cols} F32, {@code out} {@code tokens x rows} F32. Tensor cores with the
     * activations rounded to BF16 (relative error at most 2^-9 per product) and F32 accumulation.
     */
    public static void matmulBf16(DeviceBuffer weights, DeviceBuffer in, DeviceBuffer out, int tokens, int rows, int cols) {
        KernelLaunch.of("matmul_bf16")
                .grid(ceilDiv(rows, MATMUL_TILE), ceilDiv(tokens, MATMUL_TILE))
                .block(MATMUL_THREADS)
                .run(weights, in, out, tokens, rows, cols);
    }

    /** Each of {@code tokens} rows of {@code n} values: {@code x / sqrt(mean(x²) + eps) · weight}. */
    public static void rmsNorm(DeviceBuffer x, DeviceBuffer weight, float eps, DeviceBuffer out, int tokens, int n) {
        KernelLaunch.of("rms_norm").grid(tokens, 1).block(ROW_THREADS).run(x, weight, eps, out, n);
    }

    /** {@code out = silu(gate) · up} over {@code n} values. */
    public static void swiglu(DeviceBuffer gate, DeviceBuffer up, DeviceBuffer out, int n) {
        KernelLaunch.of("swiglu").grid(ceilDiv(n, ROW_THREADS), 1).block(ROW_THREADS).run(gate, up, out, n);
    }

    /**
     * Rotate-halves RoPE in place on {@code x} ({@code tokens x heads x headDim}); token t sits at
     * {@code positions[t]}; {@code inverseFrequencies} (F64, headDim/2) and {@code attentionScale} as in
     * {@code RotaryEmbedding}.
     */
    public static void rope(DeviceBuffer x, DeviceBuffer positions, DeviceBuffer inverseFrequencies, double attentionScale,
                            int tokens, int heads, int headDim) {
        KernelLaunch.of("rope").grid(tokens, 1).block(ROW_THREADS)
                .run(x, positions, inverseFrequencies, attentionScale, heads, headDim);
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
