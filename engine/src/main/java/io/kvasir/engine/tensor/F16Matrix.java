package io.kvasir.engine.tensor;

import static io.kvasir.engine.tensor.WideningLoads.F;
import static io.kvasir.engine.tensor.WideningLoads.LANES;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** IEEE half-precision weights, widened with {@link WideningLoads#halfBitsToFloat}. */
final class F16Matrix extends SegmentMatrix {

    F16Matrix(MemorySegment data, int rows, int cols) {
        super(DType.F16, data, rows, cols);
    }

    /**
     * Two rows per pass, not four as for the other types: the F16 conversion is large enough that the JIT stops
     * inlining it after a few copies in one method, and a conversion that is not inlined boxes every vector.
     */
    @Override
    void gemv(float[] x, int xOffset, float[] out, int outOffset, int from, int to) {
        int bound = F.loopBound(cols);
        int r = from;
        for (; r + 2 <= to; r += 2) {
            long o0 = rowOffset(r);
            long o1 = o0 + rowBytes;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            int c = 0;
            for (; c < bound; c += LANES) {
                FloatVector xv = FloatVector.fromArray(F, x, xOffset + c);
                long b = 2L * c;
                a0 = WideningLoads.f16(data, o0 + b).fma(xv, a0);
                a1 = WideningLoads.f16(data, o1 + b).fma(xv, a1);
            }
            float s0 = a0.reduceLanes(VectorOperators.ADD);
            float s1 = a1.reduceLanes(VectorOperators.ADD);
            for (; c < cols; c++) {
                float xc = x[xOffset + c];
                s0 += WideningLoads.f16Scalar(data, o0 + 2L * c) * xc;
                s1 += WideningLoads.f16Scalar(data, o1 + 2L * c) * xc;
            }
            out[outOffset + r] = s0;
            out[outOffset + r + 1] = s1;
        }
        if (r < to) {
            long o = rowOffset(r);
            FloatVector a = FloatVector.zero(F);
            int c = 0;
            for (; c < bound; c += LANES) {
                a = WideningLoads.f16(data, o + 2L * c).fma(FloatVector.fromArray(F, x, xOffset + c), a);
            }
            float s = a.reduceLanes(VectorOperators.ADD);
            for (; c < cols; c++) {
                s += WideningLoads.f16Scalar(data, o + 2L * c) * x[xOffset + c];
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
            WideningLoads.f16(data, o + 2L * c).intoArray(dst, dstOffset + c);
        }
        for (; c < length; c++) {
            dst[dstOffset + c] = WideningLoads.f16Scalar(data, o + 2L * c);
        }
    }
}
