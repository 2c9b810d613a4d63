package io.kvasir.engine.model.format;

import java.lang.foreign.MemorySegment;

/**
 * The row order llama.cpp's {@code llama} architecture expects of q_proj and k_proj (weights and biases).
 * Hugging Face's RoPE rotates element {@code i} of a head with element {@code i + d/2} ("rotate halves");
 * llama.cpp's {@code llama} RoPE rotates adjacent pairs {@code (2i, 2i+1)}. Reordering each head's output rows
 * so that GGUF row {@code 2i + j} is HF row {@code j*d/2 + i} makes both compute the same attention scores
 * ({@code qwen2} uses rotate-halves in llama.cpp too and is stored unpermuted).
 */
final class RopePermutation {

    private RopePermutation() {
    }

    /** The Hugging Face row that GGUF (interleaved) row {@code row} holds, for heads of {@code headDim} rows. */
    static int hfRowOf(int row, int headDim) {
        int head = row / headDim;
        int r = row % headDim;
        return head * headDim + (r % 2) * (headDim / 2) + r / 2;
    }

    /** HF → GGUF: {@code values} is {@code rows x cols} row-major with {@code rows = heads * headDim}. */
    static float[] toInterleaved(float[] values, int heads, int cols) {
        int rows = values.length / cols;
        checkRows(rows, heads);
        float[] out = new float[values.length];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(values, hfRowOf(r, rows / heads) * cols, out, r * cols, cols);
        }
        return out;
    }

    /** GGUF → HF on raw rows of {@code rowBytes} bytes each; works for any dtype since rows move whole. */
    static void toHalves(MemorySegment src, MemorySegment dst, int heads, long rowBytes) {
        int rows = Math.toIntExact(src.byteSize() / rowBytes);
        checkRows(rows, heads);
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(src, r * rowBytes, dst, hfRowOf(r, rows / heads) * rowBytes, rowBytes);
        }
    }

    private static void checkRows(int rows, int heads) {
        if (rows % heads != 0 || (rows / heads) % 2 != 0) {
            throw new IllegalArgumentException(rows + " rows do not split into " + heads + " heads of even size");
        }
    }
}
