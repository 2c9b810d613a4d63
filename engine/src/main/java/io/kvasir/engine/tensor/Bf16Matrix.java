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

    @Override
    void gemv(float[] x, int xOffset, float[] out, int outOffset, int from, int to) {
        int bound = F.loopBound(cols);
        int r = from;
        // Four rows per pass: each activation vector is loaded once for four weight streams.
        for (; r + 4 <= to; r += 4) {
            long o0 = rowOffset(r);
            long o1 = o0 + rowBytes;
            long o2 = o1 + rowBytes;
            long o3 = o2 + rowBytes;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F);
            FloatVector a3 = FloatVector.zero(F);
            int c = 0;
            for (; c < bound; c += LANES) {
                FloatVector xv = FloatVector.fromArray(F, x, xOffset + c);
                long b = 2L * c;
                a0 = WideningLoads.bf16(data, o0 + b).fma(xv, a0);
                a1 = WideningLoads.bf16(data, o1 + b).fma(xv, a1);
                a2 = WideningLoads.bf16(data, o2 + b).fma(xv, a2);
                a3 = WideningLoads.bf16(data, o3 + b).fma(xv, a3);
            }
            float s0 = a0.reduceLanes(VectorOperators.ADD);
            float s1 = a1.reduceLanes(VectorOperators.ADD);
            float s2 = a2.reduceLanes(VectorOperators.ADD);
            float s3 = a3.reduceLanes(VectorOperators.ADD);
            for (; c < cols; c++) {
                float xc = x[xOffset + c];
                long b = 2L * c;
                s0 += WideningLoads.bf16Scalar(data, o0 + b) * xc;
                s1 += WideningLoads.bf16Scalar(data, o1 + b) * xc;
                s2 += WideningLoads.bf16Scalar(data, o2 + b) * xc;
                s3 += WideningLoads.bf16Scalar(data, o3 + b) * xc;
            }
            out[outOffset + r] = s0;
            out[outOffset + r + 1] = s1;
            out[outOffset + r + 2] = s2;
            out[outOffset + r + 3] = s3;
        }
        for (; r < to; r++) {
            long o = rowOffset(r);
            FloatVector a = FloatVector.zero(F);
            int c = 0;
            for (; c < bound; c += LANES) {
                a = WideningLoads.bf16(data, o + 2L * c).fma(FloatVector.fromArray(F, x, xOffset + c), a);
            }
            float s = a.reduceLanes(VectorOperators.ADD);
            for (; c < cols; c++) {
                s += WideningLoads.bf16Scalar(data, o + 2L * c) * x[xOffset + c];
            }
            out[outOffset + r] = s;
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
