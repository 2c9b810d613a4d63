package io.kvasir.engine.tensor;

/**
 * A read-only weight matrix in Hugging Face layout: {@code rows} output features, each a row of {@code cols}
 * input features, stored row-major in some {@link DType} (usually a memory-mapped file region).
 * Activations are F32 row-major arrays, one row per token.
 */
public interface WeightMatrix {

    int rows();

    int cols();

    DType dtype();

    /**
     * {@code out[t][r] = sum_c in[t][c] * W[r][c]} for {@code t < tokens}; {@code in} is {@code tokens x cols}
     * starting at {@code inOffset}, {@code out} is {@code tokens x rows} starting at {@code outOffset}.
     * Uses the shared pool; one token is the matrix-vector (decode) case.
     */
    void multiply(float[] in, int inOffset, float[] out, int outOffset, int tokens);

    default void multiply(float[] in, float[] out, int tokens) {
        multiply(in, 0, out, 0, tokens);
    }

    /** Copies row {@code row}, converted to F32, into {@code dst} at {@code dstOffset} (embedding lookup). */
    void copyRow(int row, float[] dst, int dstOffset);
}
