package io.kvasir.engine.tensor;

import static io.kvasir.engine.tensor.WideningLoads.F;
import static io.kvasir.engine.tensor.WideningLoads.LANES;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** BF16 weights: the upper halves of F32 values, widened by a shift. */
final class Bf16Matrix extends SegmentMatrix {

    Bf16Matrix(MemorySegment data, int rows, int cols) {
        super(DType.BF16, data, rows, cols);
    }

    /**
     * One row at a time, as one sequential stream (which the prefetchers follow best: measured faster than
     * interleaving four rows), with four independent accumulators so the FMAs do not wait on each other.
     */
    @Override
    public void gemv(float[] x, int xOffset, float[] out, int outOffset, int from, int to) {
        int step = 4 * LANES;
        int blocked = cols / step * step;
        int bound = F.loopBound(cols);
        for (int r = from; r < to; r++) {
            long o = rowOffset(r);
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F);
            FloatVector a3 = FloatVector.zero(F);
            int c = 0;
            for (; c < blocked; c += step) {
                a0 = WideningLoads.bf16(data, o + 2L * c).fma(FloatVector.fromArray(F, x, xOffset + c), a0);
                a1 = WideningLoads.bf16(data, o + 2L * (c + LANES)).fma(FloatVector.fromArray(F, x, xOffset + c + LANES), a1);
                a2 = WideningLoads.bf16(data, o + 2L * (c + 2 * LANES)).fma(FloatVector.fromArray(F, x, xOffset + c + 2 * LANES), a2);
                a3 = WideningLoads.bf16(data, o + 2L * (c + 3 * LANES)).fma(FloatVector.fromArray(F, x, xOffset + c + 3 * LANES), a3);
            }
            for (; c < bound; c += LANES) {
                a0 = WideningLoads.bf16(data, o + 2L * c).fma(FloatVector.fromArray(F, x, xOffset + c), a0);
            }
            float s = a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
            for (; c < cols; c++) {
                s += WideningLoads.bf16Scalar(data, o + 2L * c) * x[xOffset + c];
            }
            out[outOffset + r] = s;
        }
    }

    /**
     * A few tokens straight from memory: each weight vector is widened in registers and used for four tokens at a
     * time, so a small batch streams the weights like the one-token product instead of first decoding them to a
     * buffer; a row's further groups of four reread it from L1. {@code x} holds the token rows {@code stride} apart,
     * padded with zero rows to a multiple of four; {@code out[outOffset + t * outStride + r]} receives token t's row r.
     */
    @Override
    boolean hasSmallBatchKernel() {
        return true;
    }

    @Override
    void gemvSmallBatch(float[] x, int stride, int tokens, float[] out, int outOffset, int outStride, int from, int to) {
        int bound = F.loopBound(cols);
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
                int c = 0;
                for (; c < bound; c += LANES) {
                    FloatVector w = WideningLoads.bf16(data, o + 2L * c);
                    a0 = w.fma(FloatVector.fromArray(F, x, x0 + c), a0);
                    a1 = w.fma(FloatVector.fromArray(F, x, x1 + c), a1);
                    a2 = w.fma(FloatVector.fromArray(F, x, x2 + c), a2);
                    a3 = w.fma(FloatVector.fromArray(F, x, x3 + c), a3);
                }
                float s0 = a0.reduceLanes(VectorOperators.ADD);
                float s1 = a1.reduceLanes(VectorOperators.ADD);
                float s2 = a2.reduceLanes(VectorOperators.ADD);
                float s3 = a3.reduceLanes(VectorOperators.ADD);
                for (; c < cols; c++) {
                    float w = WideningLoads.bf16Scalar(data, o + 2L * c);
                    s0 += w * x[x0 + c];
                    s1 += w * x[x1 + c];
                    s2 += w * x[x2 + c];
                    s3 += w * x[x3 + c];
                }
                int at = outOffset + t0 * outStride + r;
                int valid = Math.min(4, tokens - t0);
                out[at] = s0;
                if (valid > 1) {
                    out[at + outStride] = s1;
                }
                if (valid > 2) {
                    out[at + 2 * outStride] = s2;
                }
                if (valid > 3) {
                    out[at + 3 * outStride] = s3;
                }
            }
        }
    }

    @Override
    void decodeRow(int row, int col, int length, float[] dst, int dstOffset) {
        long o = rowOffset(row) + 2L * col;
        int bound = F.loopBound(length);
        int c = 0;
        for (; c < bound; c += LANES) {
            WideningLoads.bf16(data, o + 2L * c).intoArray(dst, dstOffset + c);
        }
        for (; c < length; c++) {
            dst[dstOffset + c] = WideningLoads.bf16Scalar(data, o + 2L * c);
        }
    }
}
