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
     * One row at a time, as one sequential stream (which the prefetchers follow best), with two accumulators
     * rather than four: the F16 conversion is large, and the JIT stops inlining it after a few copies in one
     * method, boxing every vector of a copy it does not inline.
     */
    @Override
    public void gemv(float[] x, int xOffset, float[] out, int outOffset, int from, int to) {
        int step = 2 * LANES;
        int blocked = cols / step * step;
        int bound = F.loopBound(cols);
        for (int r = from; r < to; r++) {
            long o = rowOffset(r);
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            int c = 0;
            for (; c < blocked; c += step) {
                a0 = WideningLoads.f16(data, o + 2L * c).fma(FloatVector.fromArray(F, x, xOffset + c), a0);
                a1 = WideningLoads.f16(data, o + 2L * (c + LANES)).fma(FloatVector.fromArray(F, x, xOffset + c + LANES), a1);
            }
            for (; c < bound; c += LANES) {
                a0 = WideningLoads.f16(data, o + 2L * c).fma(FloatVector.fromArray(F, x, xOffset + c), a0);
            }
            float s = a0.add(a1).reduceLanes(VectorOperators.ADD);
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
