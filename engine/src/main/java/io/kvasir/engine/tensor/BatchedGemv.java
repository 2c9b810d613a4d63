package io.kvasir.engine.tensor;

import static io.kvasir.engine.tensor.WideningLoads.F;
import static io.kvasir.engine.tensor.WideningLoads.LANES;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * A few tokens at once (batched decode): still bound by reading the weights, so each weight row is read and
 * decoded once per call, four rows at a time, and dotted with every token while it sits in L1. Rows are decoded
 * in chunks of {@link #CHUNK} columns, alternating with the arithmetic on each chunk, so that memory reads overlap
 * computation instead of the core stalling on a whole row and then computing without reading. Activations are
 * copied with zero padding to a whole number of vectors so the inner loops have no tails.
 */
final class BatchedGemv {

    private static final int ROWS = 4;
    /**
     * Up to this many tokens a dtype's streaming small-batch kernel is used when it has one (Q8_0; resident BF16 is
     * stored in tiles with kernels of its own, Bf16PanelMatrix): on the bench layers it beat decoding rows to a buffer
     * at 2 and 4 tokens (Q8_0 2.6 vs 4.2 ms a pass), lost from 8 on.
     */
    static final int SMALL_BATCH = 4;
    /**
     * Columns per chunk: a multiple of the Q8_0 block; 16 KiB of decoded weights for four rows. Longer runs of each
     * row per chunk help the prefetchers (bench layers, BF16, 8 and 32 tokens: 6.5 and 13.8 ms a pass at 1024
     * against 7.5 and 15.8 at 512).
     */
    private static final int CHUNK = 1024;
    /** Partial sums per token: one vector per row. */
    private static final int PARTIALS = ROWS * LANES;

    private BatchedGemv() {
    }

    static void multiply(SegmentMatrix w, float[] in, int inOffset, float[] out, int outOffset, int tokens) {
        int cols = w.cols;
        int stride = (cols + LANES - 1) / LANES * LANES;
        if (tokens <= SMALL_BATCH && w.hasSmallBatchKernel()) {
            int padded = (tokens + 3) / 4 * 4;
            float[] x = Scratch.get().sharedInput(padded * stride);
            Arrays.fill(x, 0, padded * stride, 0f);
            for (int t = 0; t < tokens; t++) {
                System.arraycopy(in, inOffset + t * cols, x, t * stride, cols);
            }
            RowChunks.run(w.rows, ROWS,
                    (from, to) -> w.gemvSmallBatch(x, stride, tokens, out, outOffset, w.rows, from, to));
            return;
        }
        RowChunks.run(w.rows, ROWS, (from, to) -> {
            Scratch scratch = Scratch.get();
            float[] x = scratch.activations(tokens * stride);
            float[] rows = scratch.weights(ROWS * CHUNK);
            float[] partial = scratch.accumulators(tokens * PARTIALS);
            for (int t = 0; t < tokens; t++) {
                System.arraycopy(in, inOffset + t * cols, x, t * stride, cols);
                Arrays.fill(x, t * stride + cols, (t + 1) * stride, 0f);
            }
            for (int r = from; r < to; r += ROWS) {
                int valid = Math.min(ROWS, to - r);
                Arrays.fill(partial, 0, tokens * PARTIALS, 0f);
                for (int k0 = 0; k0 < stride; k0 += CHUNK) {
                    int width = Math.min(CHUNK, stride - k0);
                    decode(w, r, valid, k0, width, rows);
                    int t = 0;
                    for (; t + 4 <= tokens; t += 4) {
                        dot4x4(rows, width, x, t * stride + k0, stride, partial, t * PARTIALS);
                    }
                    for (; t < tokens; t++) {
                        dot1x4(rows, width, x, t * stride + k0, partial, t * PARTIALS);
                    }
                }
                for (int t = 0; t < tokens; t++) {
                    for (int i = 0; i < valid; i++) {
                        out[outOffset + t * w.rows + r + i] =
                                FloatVector.fromArray(F, partial, t * PARTIALS + i * LANES).reduceLanes(VectorOperators.ADD);
                    }
                }
            }
        });
    }

    /** Rows [r, r + valid) x columns [k0, k0 + width) into {@code rows} (stride CHUNK); padding columns and rows are zero. */
    private static void decode(SegmentMatrix w, int r, int valid, int k0, int width, float[] rows) {
        int real = Math.max(0, Math.min(width, w.cols - k0));
        for (int i = 0; i < ROWS; i++) {
            int start = i * CHUNK;
            if (i < valid) {
                w.decodeRow(r + i, k0, real, rows, start);
                Arrays.fill(rows, start + real, start + width, 0f);
            } else {
                Arrays.fill(rows, start, start + width, 0f);
            }
        }
    }

    /** Four tokens against four rows: 16 accumulators, each loaded vector used four times. */
    private static void dot4x4(float[] w, int width, float[] x, int x0, int stride, float[] partial, int p) {
        int x1 = x0 + stride;
        int x2 = x1 + stride;
        int x3 = x2 + stride;
        int p1 = p + PARTIALS;
        int p2 = p1 + PARTIALS;
        int p3 = p2 + PARTIALS;
        FloatVector c00 = FloatVector.fromArray(F, partial, p);
        FloatVector c01 = FloatVector.fromArray(F, partial, p + LANES);
        FloatVector c02 = FloatVector.fromArray(F, partial, p + 2 * LANES);
        FloatVector c03 = FloatVector.fromArray(F, partial, p + 3 * LANES);
        FloatVector c10 = FloatVector.fromArray(F, partial, p1);
        FloatVector c11 = FloatVector.fromArray(F, partial, p1 + LANES);
        FloatVector c12 = FloatVector.fromArray(F, partial, p1 + 2 * LANES);
        FloatVector c13 = FloatVector.fromArray(F, partial, p1 + 3 * LANES);
        FloatVector c20 = FloatVector.fromArray(F, partial, p2);
        FloatVector c21 = FloatVector.fromArray(F, partial, p2 + LANES);
        FloatVector c22 = FloatVector.fromArray(F, partial, p2 + 2 * LANES);
        FloatVector c23 = FloatVector.fromArray(F, partial, p2 + 3 * LANES);
        FloatVector c30 = FloatVector.fromArray(F, partial, p3);
        FloatVector c31 = FloatVector.fromArray(F, partial, p3 + LANES);
        FloatVector c32 = FloatVector.fromArray(F, partial, p3 + 2 * LANES);
        FloatVector c33 = FloatVector.fromArray(F, partial, p3 + 3 * LANES);
        for (int c = 0; c < width; c += LANES) {
            FloatVector r0 = FloatVector.fromArray(F, w, c);
            FloatVector r1 = FloatVector.fromArray(F, w, CHUNK + c);
            FloatVector r2 = FloatVector.fromArray(F, w, 2 * CHUNK + c);
            FloatVector r3 = FloatVector.fromArray(F, w, 3 * CHUNK + c);
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
        c00.intoArray(partial, p);
        c01.intoArray(partial, p + LANES);
        c02.intoArray(partial, p + 2 * LANES);
        c03.intoArray(partial, p + 3 * LANES);
        c10.intoArray(partial, p1);
        c11.intoArray(partial, p1 + LANES);
        c12.intoArray(partial, p1 + 2 * LANES);
        c13.intoArray(partial, p1 + 3 * LANES);
        c20.intoArray(partial, p2);
        c21.intoArray(partial, p2 + LANES);
        c22.intoArray(partial, p2 + 2 * LANES);
        c23.intoArray(partial, p2 + 3 * LANES);
        c30.intoArray(partial, p3);
        c31.intoArray(partial, p3 + LANES);
        c32.intoArray(partial, p3 + 2 * LANES);
        c33.intoArray(partial, p3 + 3 * LANES);
    }

    private static void dot1x4(float[] w, int width, float[] x, int x0, float[] partial, int p) {
        FloatVector c0 = FloatVector.fromArray(F, partial, p);
        FloatVector c1 = FloatVector.fromArray(F, partial, p + LANES);
        FloatVector c2 = FloatVector.fromArray(F, partial, p + 2 * LANES);
        FloatVector c3 = FloatVector.fromArray(F, partial, p + 3 * LANES);
        for (int c = 0; c < width; c += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, x0 + c);
            c0 = FloatVector.fromArray(F, w, c).fma(v, c0);
            c1 = FloatVector.fromArray(F, w, CHUNK + c).fma(v, c1);
            c2 = FloatVector.fromArray(F, w, 2 * CHUNK + c).fma(v, c2);
            c3 = FloatVector.fromArray(F, w, 3 * CHUNK + c).fma(v, c3);
        }
        c0.intoArray(partial, p);
        c1.intoArray(partial, p + LANES);
        c2.intoArray(partial, p + 2 * LANES);
        c3.intoArray(partial, p + 3 * LANES);
    }
}
