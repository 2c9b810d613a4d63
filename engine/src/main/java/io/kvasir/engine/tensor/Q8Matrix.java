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

    @Override
    void gemv(float[] x, int xOffset, float[] out, int outOffset, int from, int to) {
        int blocks = cols / BLOCK;
        int r = from;
        for (; r + 4 <= to; r += 4) {
            long o0 = rowOffset(r);
            long o1 = o0 + rowBytes;
            long o2 = o1 + rowBytes;
            long o3 = o2 + rowBytes;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F);
            FloatVector a3 = FloatVector.zero(F);
            for (int k = 0; k < blocks; k++) {
                long b = (long) k * BLOCK_BYTES;
                int c = xOffset + k * BLOCK;
                FloatVector t0 = FloatVector.zero(F);
                FloatVector t1 = FloatVector.zero(F);
                FloatVector t2 = FloatVector.zero(F);
                FloatVector t3 = FloatVector.zero(F);
                for (int p = 0; p < BLOCK; p += LANES) {
                    FloatVector xv = FloatVector.fromArray(F, x, c + p);
                    long q = b + SCALE_BYTES + p;
                    t0 = WideningLoads.int8(data, o0 + q).fma(xv, t0);
                    t1 = WideningLoads.int8(data, o1 + q).fma(xv, t1);
                    t2 = WideningLoads.int8(data, o2 + q).fma(xv, t2);
                    t3 = WideningLoads.int8(data, o3 + q).fma(xv, t3);
                }
                a0 = t0.fma(FloatVector.broadcast(F, WideningLoads.f16Scalar(data, o0 + b)), a0);
                a1 = t1.fma(FloatVector.broadcast(F, WideningLoads.f16Scalar(data, o1 + b)), a1);
                a2 = t2.fma(FloatVector.broadcast(F, WideningLoads.f16Scalar(data, o2 + b)), a2);
                a3 = t3.fma(FloatVector.broadcast(F, WideningLoads.f16Scalar(data, o3 + b)), a3);
            }
            out[outOffset + r] = a0.reduceLanes(VectorOperators.ADD);
            out[outOffset + r + 1] = a1.reduceLanes(VectorOperators.ADD);
            out[outOffset + r + 2] = a2.reduceLanes(VectorOperators.ADD);
            out[outOffset + r + 3] = a3.reduceLanes(VectorOperators.ADD);
        }
        for (; r < to; r++) {
            long o = rowOffset(r);
            FloatVector a = FloatVector.zero(F);
            for (int k = 0; k < blocks; k++) {
                long b = o + (long) k * BLOCK_BYTES;
                FloatVector t = FloatVector.zero(F);
                for (int p = 0; p < BLOCK; p += LANES) {
                    t = WideningLoads.int8(data, b + SCALE_BYTES + p)
                            .fma(FloatVector.fromArray(F, x, xOffset + k * BLOCK + p), t);
                }
                a = t.fma(FloatVector.broadcast(F, WideningLoads.f16Scalar(data, b)), a);
            }
            out[outOffset + r] = a.reduceLanes(VectorOperators.ADD);
        }
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
