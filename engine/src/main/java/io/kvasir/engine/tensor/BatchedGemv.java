package io.kvasir.engine.tensor;

import static io.kvasir.engine.tensor.WideningLoads.F;
import static io.kvasir.engine.tensor.WideningLoads.LANES;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * A few tokens at once (batched decode): still bound by reading the weights, so each weight row is read and
 * decoded once per call, four rows at a time, and dotted with every token while it sits in L1. Rows and
 * activations are copied with zero padding to a whole number of vectors so the inner loops have no tails.
 */
final class BatchedGemv {

    private static final int ROWS = 4;

    private BatchedGemv() {
    }

    static void multiply(SegmentMatrix w, float[] in, int inOffset, float[] out, int outOffset, int tokens) {
        int cols = w.cols;
        int stride = (cols + LANES - 1) / LANES * LANES;
        RowChunks.run(w.rows, (from, to) -> {
            Scratch scratch = Scratch.get();
            float[] x = scratch.activations(tokens * stride);
            float[] rows = scratch.weights(ROWS * stride);
            for (int t = 0; t < tokens; t++) {
                System.arraycopy(in, inOffset + t * cols, x, t * stride, cols);
                Arrays.fill(x, t * stride + cols, (t + 1) * stride, 0f);
            }
            Arrays.fill(rows, 0, ROWS * stride, 0f);
            for (int r = from; r < to; r += ROWS) {
                int valid = Math.min(ROWS, to - r);
                for (int i = 0; i < valid; i++) {
                    w.decodeRow(r + i, 0, cols, rows, i * stride);
                }
                // A short last group reuses the buffer: stale rows compute values that are never stored.
                int t = 0;
                for (; t + 4 <= tokens; t += 4) {
                    dot4x4(rows, x, t * stride, stride, out, outOffset + t * w.rows + r, w.rows, valid);
                }
                for (; t < tokens; t++) {
                    dot1x4(rows, x, t * stride, stride, out, outOffset + t * w.rows + r, valid);
                }
            }
        });
    }

    /** Four tokens against four rows: 16 accumulators, each loaded vector used four times. */
    private static void dot4x4(float[] w, float[] x, int x0, int stride, float[] out, int o, int outStride, int valid) {
        int x1 = x0 + stride;
        int x2 = x1 + stride;
        int x3 = x2 + stride;
        int w1 = stride;
        int w2 = 2 * stride;
        int w3 = 3 * stride;
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F), c02 = FloatVector.zero(F), c03 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F), c12 = FloatVector.zero(F), c13 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F), c22 = FloatVector.zero(F), c23 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F), c32 = FloatVector.zero(F), c33 = FloatVector.zero(F);
        for (int c = 0; c < stride; c += LANES) {
            FloatVector r0 = FloatVector.fromArray(F, w, c);
            FloatVector r1 = FloatVector.fromArray(F, w, w1 + c);
            FloatVector r2 = FloatVector.fromArray(F, w, w2 + c);
            FloatVector r3 = FloatVector.fromArray(F, w, w3 + c);
            FloatVector v = FloatVector.fromArray(F, x, x0 + c);
            c00 = r0.fma(v, c00);
            c01 = r1.fma(v, c01);
            c02 = r2.fma(v, c02);
            c03 = r3.fma(v, c03);
            v = FloatVector.fromArray(F, x, x1 + c);
            c10 = r0.fma(v, c10);
            c11 = r1.fma(v, c11);
            c12 = r2.fma(v, c12);
            c13 = r3.fma(v, c13);
            v = FloatVector.fromArray(F, x, x2 + c);
            c20 = r0.fma(v, c20);
            c21 = r1.fma(v, c21);
            c22 = r2.fma(v, c22);
            c23 = r3.fma(v, c23);
            v = FloatVector.fromArray(F, x, x3 + c);
            c30 = r0.fma(v, c30);
            c31 = r1.fma(v, c31);
            c32 = r2.fma(v, c32);
            c33 = r3.fma(v, c33);
        }
        store(out, o, valid, c00, c01, c02, c03);
        store(out, o + outStride, valid, c10, c11, c12, c13);
        store(out, o + 2 * outStride, valid, c20, c21, c22, c23);
        store(out, o + 3 * outStride, valid, c30, c31, c32, c33);
    }

    private static void dot1x4(float[] w, float[] x, int x0, int stride, float[] out, int o, int valid) {
        FloatVector c0 = FloatVector.zero(F), c1 = FloatVector.zero(F), c2 = FloatVector.zero(F), c3 = FloatVector.zero(F);
        for (int c = 0; c < stride; c += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, x0 + c);
            c0 = FloatVector.fromArray(F, w, c).fma(v, c0);
            c1 = FloatVector.fromArray(F, w, stride + c).fma(v, c1);
            c2 = FloatVector.fromArray(F, w, 2 * stride + c).fma(v, c2);
            c3 = FloatVector.fromArray(F, w, 3 * stride + c).fma(v, c3);
        }
        store(out, o, valid, c0, c1, c2, c3);
    }

    private static void store(float[] out, int o, int valid, FloatVector a, FloatVector b, FloatVector c, FloatVector d) {
        out[o] = a.reduceLanes(VectorOperators.ADD);
        if (valid > 1) {
            out[o + 1] = b.reduceLanes(VectorOperators.ADD);
        }
        if (valid > 2) {
            out[o + 2] = c.reduceLanes(VectorOperators.ADD);
        }
        if (valid > 3) {
            out[o + 3] = d.reduceLanes(VectorOperators.ADD);
        }
    }
}
