package io.kvasir.engine.tensor;

import static io.kvasir.engine.tensor.WideningLoads.F;
import static io.kvasir.engine.tensor.WideningLoads.LANES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML Q8_0 weights: per 32 weights an F16 scale {@code d} and 32 signed bytes {@code q}, weight = d * q.
 * Dot products sum {@code q * x} over a block first and apply the scale once per block.
 */
final class Q8Matrix extends SegmentMatrix {

    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 34;
    private static final int SCALE_BYTES = 2;

    Q8Matrix(MemorySegment data, int rows, int cols) {
        super(DType.Q8_0, data, rows, cols);
    }

    /**
     * One row at a time as one sequential stream (which the prefetchers follow best), two blocks per step into
     * two accumulators so consecutive blocks do not wait on each other.
     */
    @Override
    public void gemv(float[] x, int xOffset, float[] out, int outOffset, int from, int to) {
        int blocks = cols / BLOCK;
        for (int r = from; r < to; r++) {
            long o = rowOffset(r);
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            int k = 0;
            for (; k + 2 <= blocks; k += 2) {
                long b = o + (long) k * BLOCK_BYTES;
                a0 = blockDot(b, x, xOffset + k * BLOCK).fma(scale(b), a0);
                a1 = blockDot(b + BLOCK_BYTES, x, xOffset + (k + 1) * BLOCK).fma(scale(b + BLOCK_BYTES), a1);
            }
            if (k < blocks) {
                long b = o + (long) k * BLOCK_BYTES;
                a0 = blockDot(b, x, xOffset + k * BLOCK).fma(scale(b), a0);
            }
            out[outOffset + r] = a0.add(a1).reduceLanes(VectorOperators.ADD);
        }
    }

    @Override
    boolean hasSmallBatchKernel() {
        return true;
    }

    /**
     * A few tokens straight from memory, four at a time (see {@link SegmentMatrix#gemvSmallBatch} for the layout): each
     * block's quants are converted once and dotted with four tokens; decoding them to a buffer first made batch 4
     * slower than batch 1. Assumes {@code cols} is a multiple of 32, as Q8_0 requires, and 16 or 32 lanes.
     */
    @Override
    void gemvSmallBatch(float[] x, int stride, int tokens, float[] out, int outOffset, int outStride, int from, int to) {
        int blocks = cols / BLOCK;
        for (int r = from; r < to; r++) {
            long o = rowOffset(r);
            for (int t0 = 0; t0 < tokens; t0 += 4) {
                int x0 = t0 * stride;
                int x1 = x0 + stride;
                int x2 = x1 + stride;
                int x3 = x2 + stride;
                FloatVector a0 = FloatVector.zero(F);
                FloatVector a1 = FloatVector.zero(F);
                FloatVector a2 = FloatVector.zero(F);
                FloatVector a3 = FloatVector.zero(F);
                for (int k = 0; k < blocks; k++) {
                    long b = o + (long) k * BLOCK_BYTES;
                    int c = k * BLOCK;
                    FloatVector q = WideningLoads.int8(data, b + SCALE_BYTES);
                    FloatVector p0 = q.mul(FloatVector.fromArray(F, x, x0 + c));
                    FloatVector p1 = q.mul(FloatVector.fromArray(F, x, x1 + c));
                    FloatVector p2 = q.mul(FloatVector.fromArray(F, x, x2 + c));
                    FloatVector p3 = q.mul(FloatVector.fromArray(F, x, x3 + c));
                    for (int p = LANES; p < BLOCK; p += LANES) {
                        q = WideningLoads.int8(data, b + SCALE_BYTES + p);
                        p0 = q.fma(FloatVector.fromArray(F, x, x0 + c + p), p0);
                        p1 = q.fma(FloatVector.fromArray(F, x, x1 + c + p), p1);
                        p2 = q.fma(FloatVector.fromArray(F, x, x2 + c + p), p2);
                        p3 = q.fma(FloatVector.fromArray(F, x, x3 + c + p), p3);
                    }
                    FloatVector d = scale(b);
                    a0 = p0.fma(d, a0);
                    a1 = p1.fma(d, a1);
                    a2 = p2.fma(d, a2);
                    a3 = p3.fma(d, a3);
                }
                int at = outOffset + t0 * outStride + r;
                int valid = Math.min(4, tokens - t0);
                out[at] = a0.reduceLanes(VectorOperators.ADD);
                if (valid > 1) {
                    out[at + outStride] = a1.reduceLanes(VectorOperators.ADD);
                }
                if (valid > 2) {
                    out[at + 2 * outStride] = a2.reduceLanes(VectorOperators.ADD);
                }
                if (valid > 3) {
                    out[at + 3 * outStride] = a3.reduceLanes(VectorOperators.ADD);
                }
            }
        }
    }

    /** Lane-wise partial sums of {@code q * x} over the block at {@code block}, before its scale. */
    private FloatVector blockDot(long block, float[] x, int xOffset) {
        FloatVector t = WideningLoads.int8(data, block + SCALE_BYTES).mul(FloatVector.fromArray(F, x, xOffset));
        for (int p = LANES; p < BLOCK; p += LANES) {
            t = WideningLoads.int8(data, block + SCALE_BYTES + p).fma(FloatVector.fromArray(F, x, xOffset + p), t);
        }
        return t;
    }

    private FloatVector scale(long block) {
        return FloatVector.broadcast(F, WideningLoads.f16Scalar(data, block));
    }

    @Override
    void decodeRow(int row, int col, int length, float[] dst, int dstOffset) {
        long o = rowOffset(row) + (long) (col / BLOCK) * BLOCK_BYTES;
        int c = 0;
        for (; c + BLOCK <= length; c += BLOCK, o += BLOCK_BYTES) {
            float d = WideningLoads.f16Scalar(data, o);
            for (int p = 0; p < BLOCK; p += LANES) {
                WideningLoads.int8(data, o + SCALE_BYTES + p).mul(d).intoArray(dst, dstOffset + c + p);
            }
        }
        if (c < length) {
            float d = WideningLoads.f16Scalar(data, o);
            for (int j = 0; c < length; c++, j++) {
                dst[dstOffset + c] = d * data.get(ValueLayout.JAVA_BYTE, o + SCALE_BYTES + j);
            }
        }
    }
}
