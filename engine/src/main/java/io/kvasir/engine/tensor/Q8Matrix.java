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
    void gemv(float[] x, int xOffset, float[] out, int outOffset, int from, int to) {
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
