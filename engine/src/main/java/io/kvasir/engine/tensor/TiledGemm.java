package io.kvasir.engine.tensor;

import static io.kvasir.engine.tensor.WideningLoads.F;
import static io.kvasir.engine.tensor.WideningLoads.LANES;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Many tokens (prefill): a register-blocked GEMM. A pool task owns a tile of {@link #NR} weight rows and a range of
 * tokens. For each block of {@link #KC} columns it decodes the tile's weights to F32 once and packs them
 * column-major (a "panel": for each column, the NR row values contiguous), then runs the micro-kernel over every
 * {@link #MR} tokens: for each column, NR/LANES weight vectors are multiplied by each token's activation broadcast
 * to all lanes, so each loaded vector feeds MR fused multiply-adds and all MR x NR sums stay in registers across
 * the column block.
 */
final class TiledGemm {

    /** Weight rows per tile: four vectors of output features. */
    static final int NR = 4 * LANES;
    /** Tokens per micro-kernel: 6 x 4 accumulators + 4 weight vectors + 1 broadcast fit the 32 vector registers. */
    static final int MR = 6;
    /** Columns per block: the 64 KiB panel stays in L2 while every token of the task streams past it. */
    static final int KC = 256;
    /** A task re-decodes its panels, so token ranges are split only when there are too few row tiles. */
    private static final int MIN_TOKENS_PER_TASK = 8 * MR;
    private static final int TASKS_PER_THREAD = 4;

    private TiledGemm() {
    }

    static void multiply(SegmentMatrix w, float[] in, int inOffset, float[] out, int outOffset, int tokens) {
        int rowTiles = ceilDiv(w.rows, NR);
        int wanted = TASKS_PER_THREAD * Parallel.threads();
        int tokenTiles = rowTiles >= wanted ? 1
                : Math.max(1, Math.min(ceilDiv(wanted, rowTiles), tokens / MIN_TOKENS_PER_TASK));
        int tokensPerTask = ceilDiv(ceilDiv(tokens, tokenTiles), MR) * MR;
        int tasksPerRowTile = ceilDiv(tokens, tokensPerTask);
        Parallel.forEach(rowTiles * tasksPerRowTile, task -> {
            int row0 = task / tasksPerRowTile * NR;
            int t0 = task % tasksPerRowTile * tokensPerTask;
            tile(w, in, inOffset, out, outOffset, row0, t0, Math.min(tokens, t0 + tokensPerTask));
        });
    }

    private static void tile(SegmentMatrix w, float[] in, int inOffset, float[] out, int outOffset,
                             int row0, int t0, int t1) {
        int cols = w.cols;
        int nr = Math.min(NR, w.rows - row0);
        int nt = t1 - t0;
        Scratch scratch = Scratch.get();
        float[] rows = scratch.weights(NR * KC);
        float[] panel = scratch.panel(NR * KC);
        float[] acc = scratch.accumulators(nt * NR);
        int[] columnOffsets = scratch.columnOffsets(LANES);
        Arrays.fill(acc, 0, nt * NR, 0f);
        for (int k0 = 0; k0 < cols; k0 += KC) {
            int kc = Math.min(KC, cols - k0);
            pack(w, row0, nr, k0, kc, rows, panel, columnOffsets);
            int x = inOffset + t0 * cols + k0;
            int t = 0;
            for (; t + MR <= nt; t += MR) {
                kernel6x4(panel, kc, in, x + t * cols, cols, acc, t * NR);
            }
            for (; t < nt; t++) {
                kernel1x4(panel, kc, in, x + t * cols, acc, t * NR);
            }
        }
        for (int t = 0; t < nt; t++) {
            System.arraycopy(acc, t * NR, out, outOffset + (t0 + t) * w.rows + row0, nr);
        }
    }

    /**
     * Decodes rows [row0, row0 + nr) x columns [k0, k0 + kc) and transposes them into the panel, zero-padded to NR
     * rows. The transpose gathers one column of LANES rows per vector: scalar strided stores cost several times more
     * and, with few tokens, would dominate the whole product.
     */
    private static void pack(SegmentMatrix w, int row0, int nr, int k0, int kc, float[] rows, float[] panel,
                             int[] columnOffsets) {
        for (int r = 0; r < nr; r++) {
            w.decodeRow(row0 + r, k0, kc, rows, r * kc);
        }
        if (nr < NR) {
            Arrays.fill(rows, nr * kc, NR * kc, 0f);
        }
        for (int i = 0; i < LANES; i++) {
            columnOffsets[i] = i * kc;
        }
        for (int g = 0; g < NR; g += LANES) {
            int base = g * kc;
            for (int k = 0, p = g; k < kc; k++, p += NR) {
                FloatVector.fromArray(F, rows, base + k, columnOffsets, 0).intoArray(panel, p);
            }
        }
    }

    private static void kernel6x4(float[] panel, int kc, float[] in, int x0, int xStride, float[] acc, int a) {
        int x1 = x0 + xStride;
        int x2 = x1 + xStride;
        int x3 = x2 + xStride;
        int x4 = x3 + xStride;
        int x5 = x4 + xStride;
        int a1 = a + NR;
        int a2 = a1 + NR;
        int a3 = a2 + NR;
        int a4 = a3 + NR;
        int a5 = a4 + NR;
        FloatVector c00 = FloatVector.fromArray(F, acc, a);
        FloatVector c01 = FloatVector.fromArray(F, acc, a + LANES);
        FloatVector c02 = FloatVector.fromArray(F, acc, a + 2 * LANES);
        FloatVector c03 = FloatVector.fromArray(F, acc, a + 3 * LANES);
        FloatVector c10 = FloatVector.fromArray(F, acc, a1);
        FloatVector c11 = FloatVector.fromArray(F, acc, a1 + LANES);
        FloatVector c12 = FloatVector.fromArray(F, acc, a1 + 2 * LANES);
        FloatVector c13 = FloatVector.fromArray(F, acc, a1 + 3 * LANES);
        FloatVector c20 = FloatVector.fromArray(F, acc, a2);
        FloatVector c21 = FloatVector.fromArray(F, acc, a2 + LANES);
        FloatVector c22 = FloatVector.fromArray(F, acc, a2 + 2 * LANES);
        FloatVector c23 = FloatVector.fromArray(F, acc, a2 + 3 * LANES);
        FloatVector c30 = FloatVector.fromArray(F, acc, a3);
        FloatVector c31 = FloatVector.fromArray(F, acc, a3 + LANES);
        FloatVector c32 = FloatVector.fromArray(F, acc, a3 + 2 * LANES);
        FloatVector c33 = FloatVector.fromArray(F, acc, a3 + 3 * LANES);
        FloatVector c40 = FloatVector.fromArray(F, acc, a4);
        FloatVector c41 = FloatVector.fromArray(F, acc, a4 + LANES);
        FloatVector c42 = FloatVector.fromArray(F, acc, a4 + 2 * LANES);
        FloatVector c43 = FloatVector.fromArray(F, acc, a4 + 3 * LANES);
        FloatVector c50 = FloatVector.fromArray(F, acc, a5);
        FloatVector c51 = FloatVector.fromArray(F, acc, a5 + LANES);
        FloatVector c52 = FloatVector.fromArray(F, acc, a5 + 2 * LANES);
        FloatVector c53 = FloatVector.fromArray(F, acc, a5 + 3 * LANES);
        for (int k = 0, p = 0; k < kc; k++, p += NR) {
            FloatVector w0 = FloatVector.fromArray(F, panel, p);
            FloatVector w1 = FloatVector.fromArray(F, panel, p + LANES);
            FloatVector w2 = FloatVector.fromArray(F, panel, p + 2 * LANES);
            FloatVector w3 = FloatVector.fromArray(F, panel, p + 3 * LANES);
            FloatVector b = FloatVector.broadcast(F, in[x0 + k]);
            c00 = w0.fma(b, c00);
            c01 = w1.fma(b, c01);
            c02 = w2.fma(b, c02);
            c03 = w3.fma(b, c03);
            b = FloatVector.broadcast(F, in[x1 + k]);
            c10 = w0.fma(b, c10);
            c11 = w1.fma(b, c11);
            c12 = w2.fma(b, c12);
            c13 = w3.fma(b, c13);
            b = FloatVector.broadcast(F, in[x2 + k]);
            c20 = w0.fma(b, c20);
            c21 = w1.fma(b, c21);
            c22 = w2.fma(b, c22);
            c23 = w3.fma(b, c23);
            b = FloatVector.broadcast(F, in[x3 + k]);
            c30 = w0.fma(b, c30);
            c31 = w1.fma(b, c31);
            c32 = w2.fma(b, c32);
            c33 = w3.fma(b, c33);
            b = FloatVector.broadcast(F, in[x4 + k]);
            c40 = w0.fma(b, c40);
            c41 = w1.fma(b, c41);
            c42 = w2.fma(b, c42);
            c43 = w3.fma(b, c43);
            b = FloatVector.broadcast(F, in[x5 + k]);
            c50 = w0.fma(b, c50);
            c51 = w1.fma(b, c51);
            c52 = w2.fma(b, c52);
            c53 = w3.fma(b, c53);
        }
        c00.intoArray(acc, a);
        c01.intoArray(acc, a + LANES);
        c02.intoArray(acc, a + 2 * LANES);
        c03.intoArray(acc, a + 3 * LANES);
        c10.intoArray(acc, a1);
        c11.intoArray(acc, a1 + LANES);
        c12.intoArray(acc, a1 + 2 * LANES);
        c13.intoArray(acc, a1 + 3 * LANES);
        c20.intoArray(acc, a2);
        c21.intoArray(acc, a2 + LANES);
        c22.intoArray(acc, a2 + 2 * LANES);
        c23.intoArray(acc, a2 + 3 * LANES);
        c30.intoArray(acc, a3);
        c31.intoArray(acc, a3 + LANES);
        c32.intoArray(acc, a3 + 2 * LANES);
        c33.intoArray(acc, a3 + 3 * LANES);
        c40.intoArray(acc, a4);
        c41.intoArray(acc, a4 + LANES);
        c42.intoArray(acc, a4 + 2 * LANES);
        c43.intoArray(acc, a4 + 3 * LANES);
        c50.intoArray(acc, a5);
        c51.intoArray(acc, a5 + LANES);
        c52.intoArray(acc, a5 + 2 * LANES);
        c53.intoArray(acc, a5 + 3 * LANES);
    }

    /** The leftover tokens (fewer than MR), one at a time. */
    private static void kernel1x4(float[] panel, int kc, float[] in, int x0, float[] acc, int a) {
        FloatVector c0 = FloatVector.fromArray(F, acc, a);
        FloatVector c1 = FloatVector.fromArray(F, acc, a + LANES);
        FloatVector c2 = FloatVector.fromArray(F, acc, a + 2 * LANES);
        FloatVector c3 = FloatVector.fromArray(F, acc, a + 3 * LANES);
        for (int k = 0, p = 0; k < kc; k++, p += NR) {
            FloatVector b = FloatVector.broadcast(F, in[x0 + k]);
            c0 = FloatVector.fromArray(F, panel, p).fma(b, c0);
            c1 = FloatVector.fromArray(F, panel, p + LANES).fma(b, c1);
            c2 = FloatVector.fromArray(F, panel, p + 2 * LANES).fma(b, c2);
            c3 = FloatVector.fromArray(F, panel, p + 3 * LANES).fma(b, c3);
        }
        c0.intoArray(acc, a);
        c1.intoArray(acc, a + LANES);
        c2.intoArray(acc, a + 2 * LANES);
        c3.intoArray(acc, a + 3 * LANES);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
