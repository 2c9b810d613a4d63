package io.kvasir.engine.tensor;

import static io.kvasir.engine.tensor.WideningLoads.F;
import static io.kvasir.engine.tensor.WideningLoads.FLOAT_LE;
import static io.kvasir.engine.tensor.WideningLoads.LANES;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

final class F32Matrix extends SegmentMatrix {

    F32Matrix(MemorySegment data, int rows, int cols) {
        super(DType.F32, data, rows, cols);
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
                long b = 4L * c;
                a0 = WideningLoads.f32(data, o0 + b).fma(xv, a0);
                a1 = WideningLoads.f32(data, o1 + b).fma(xv, a1);
                a2 = WideningLoads.f32(data, o2 + b).fma(xv, a2);
                a3 = WideningLoads.f32(data, o3 + b).fma(xv, a3);
            }
            float s0 = a0.reduceLanes(VectorOperators.ADD);
            float s1 = a1.reduceLanes(VectorOperators.ADD);
            float s2 = a2.reduceLanes(VectorOperators.ADD);
            float s3 = a3.reduceLanes(VectorOperators.ADD);
            for (; c < cols; c++) {
                float xc = x[xOffset + c];
                long b = 4L * c;
                s0 += data.get(FLOAT_LE, o0 + b) * xc;
                s1 += data.get(FLOAT_LE, o1 + b) * xc;
                s2 += data.get(FLOAT_LE, o2 + b) * xc;
                s3 += data.get(FLOAT_LE, o3 + b) * xc;
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
                a = WideningLoads.f32(data, o + 4L * c).fma(FloatVector.fromArray(F, x, xOffset + c), a);
            }
            float s = a.reduceLanes(VectorOperators.ADD);
            for (; c < cols; c++) {
                s += data.get(FLOAT_LE, o + 4L * c) * x[xOffset + c];
            }
            out[outOffset + r] = s;
        }
    }

    @Override
    void decodeRow(int row, int col, int length, float[] dst, int dstOffset) {
        MemorySegment.copy(data, FLOAT_LE, rowOffset(row) + 4L * col, dst, dstOffset, length);
    }
}
