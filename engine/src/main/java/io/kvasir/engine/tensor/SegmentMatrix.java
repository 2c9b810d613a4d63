package io.kvasir.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A weight matrix stored row-major in a memory segment. Each dtype supplies two kernels: a fused one-token
 * matrix-vector product that streams rows straight from memory, and a row decoder to F32 that the batched kernels
 * ({@link BatchedGemv}, {@link TiledGemm}) use so that each weight is converted once and reused for many tokens.
 */
abstract sealed class SegmentMatrix implements WeightMatrix, RowRangeProduct
        permits F32Matrix, Bf16Matrix, F16Matrix, Q8Matrix {

    /**
     * From this many tokens on, packing weight panels for the register-blocked GEMM pays for itself (measured: below
     * it the batched GEMV's 4x4 dot kernel, which needs no transpose, is faster).
     */
    static final int GEMM_MIN_TOKENS = 48;

    final MemorySegment data;
    final int rows;
    final int cols;
    final long rowBytes;
    private final DType dtype;

    SegmentMatrix(DType dtype, MemorySegment data, int rows, int cols) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("empty matrix " + rows + "x" + cols);
        }
        this.dtype = dtype;
        this.rowBytes = dtype.bytesFor(cols);
        if (data.byteSize() < rowBytes * rows) {
            throw new IllegalArgumentException(dtype + " " + rows + "x" + cols + " needs " + rowBytes * rows
                    + " bytes, segment has " + data.byteSize());
        }
        this.data = data;
        this.rows = rows;
        this.cols = cols;
    }

    @Override
    public final int rows() {
        return rows;
    }

    @Override
    public final int cols() {
        return cols;
    }

    @Override
    public final DType dtype() {
        return dtype;
    }

    /** Byte offset of row {@code row}. */
    final long rowOffset(int row) {
        return row * rowBytes;
    }

    /**
     * {@code out[outOffset + r] = W[r] . x[xOffset ..]} for rows in [from, to), reading each row once.
     */
    @Override
    public abstract void gemv(float[] x, int xOffset, float[] out, int outOffset, int from, int to);

    /** Row-major kernels hand out rows in fours (the batched kernel's row group). */
    @Override
    public final int rowAlignment() {
        return 4;
    }

    /**
     * Whether this dtype streams small batches straight from memory ({@link #gemvSmallBatch}); without it the batched
     * kernel decodes rows to a buffer first.
     */
    boolean hasSmallBatchKernel() {
        return false;
    }

    /**
     * A few tokens straight from memory, each weight vector used for four tokens at a time, so a small batch streams
     * the weights like the one-token product instead of first decoding them to a buffer. {@code x} holds the token rows
     * {@code stride} apart, padded with zero rows to a multiple of four; {@code out[outOffset + t * outStride + r]}
     * receives token t's row r.
     */
    void gemvSmallBatch(float[] x, int stride, int tokens, float[] out, int outOffset, int outStride, int from, int to) {
        throw new UnsupportedOperationException(dtype + " has no small-batch kernel");
    }

    /**
     * Decodes {@code length} weights of {@code row} starting at column {@code col} to F32.
     * {@code col} is a multiple of 32, so block formats start on a block.
     */
    abstract void decodeRow(int row, int col, int length, float[] dst, int dstOffset);

    @Override
    public final void multiply(float[] in, int inOffset, float[] out, int outOffset, int tokens) {
        if (tokens <= 0) {
            throw new IllegalArgumentException("tokens must be positive: " + tokens);
        }
        Objects.checkFromIndexSize(inOffset, Math.multiplyExact(tokens, cols), in.length);
        Objects.checkFromIndexSize(outOffset, Math.multiplyExact(tokens, rows), out.length);
        if (tokens == 1) {
            RowChunks.run(rows, rowAlignment(), (from, to) -> gemv(in, inOffset, out, outOffset, from, to));
        } else if (tokens < GEMM_MIN_TOKENS) {
            BatchedGemv.multiply(this, in, inOffset, out, outOffset, tokens);
        } else {
            TiledGemm.multiply(this, in, inOffset, out, outOffset, tokens);
        }
    }

    @Override
    public final void copyRow(int row, float[] dst, int dstOffset) {
        Objects.checkIndex(row, rows);
        Objects.checkFromIndexSize(dstOffset, cols, dst.length);
        decodeRow(row, 0, cols, dst, dstOffset);
    }
}
