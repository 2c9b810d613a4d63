package io.kvasir.engine.tensor;

import static io.kvasir.engine.tensor.WideningLoads.F;
import static io.kvasir.engine.tensor.WideningLoads.LANES;
import static io.kvasir.engine.tensor.WideningLoads.SHORT_LE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;
import jdk.incubator.vector.FloatVector;

/**
 * BF16 weights laid out once, at load time, in tiles of {@link #NR} rows; within a tile, for each column, the tile's NR
 * row values are contiguous (the last tile is padded with zero rows). A column of a tile is then a vector of NR
 * outputs' weights that multiplies one broadcast activation, which gives:
 * <ul>
 * <li>no horizontal sums and no transposes: the one-token product and the batch kernel read the same contiguous
 *     stream, and the batch kernel reuses each widened weight vector for four tokens in registers;</li>
 * <li>batch invariance: every output is the same chain of fused multiply-adds over the columns in order, whether one
 *     token is multiplied or many, so a token's products are bit-identical alone and inside a fused batch or a
 *     prefill chunk (the row-major kernels sum in a different order for one token than for several).</li>
 * </ul>
 * Measured with {@code bench gemm} (2 cores, 2048 x 2048, weights from DRAM): 32 tokens at 0.83 of the FMA peak (the
 * row-major batched kernel: about 0.40); 512 tokens at 0.94 (the row-major register-blocked GEMM: 0.83).
 */
final class Bf16PanelMatrix implements WeightMatrix, RowRangeProduct {

    /** Rows per tile: four vectors of outputs. */
    static final int NR = 4 * LANES;
    /** Tokens per batch-kernel call. */
    private static final int GROUP = 4;
    /** Work items a batch wants at least per pool thread (below that, tokens are split too). */
    private static final int ITEMS_PER_THREAD = 4;
    /** Token groups a range holds at least when a batch's tokens are split over the pool. */
    private static final int MIN_GROUPS_PER_RANGE = 8;

    private final MemorySegment data;
    private final int rows;
    private final int cols;
    private final int tiles;
    private final long tileBytes;

    private Bf16PanelMatrix(MemorySegment data, int rows, int cols) {
        this.data = data;
        this.rows = rows;
        this.cols = cols;
        this.tiles = (rows + NR - 1) / NR;
        this.tileBytes = 2L * NR * cols;
    }

    /** Re-lays {@code source} (BF16, row-major) into placed memory from {@code arena}, which must outlive it. */
    static Bf16PanelMatrix of(Bf16Matrix source, Arena arena) {
        int rows = source.rows();
        int cols = source.cols();
        int tiles = (rows + NR - 1) / NR;
        long tileBytes = 2L * NR * cols;
        MemorySegment data = WeightPlacement.allocate(arena, tileBytes * tiles);
        Parallel.forEach(tiles, tile -> {
            long base = tile * tileBytes;
            for (int i = 0; i < NR; i++) {
                int row = tile * NR + i;
                if (row >= rows) {
                    for (int k = 0; k < cols; k++) {
                        data.set(SHORT_LE, base + 2L * ((long) k * NR + i), (short) 0);
                    }
                    continue;
                }
                long from = source.rowOffset(row);
                for (int k = 0; k < cols; k++) {
                    data.set(SHORT_LE, base + 2L * ((long) k * NR + i), source.data.get(SHORT_LE, from + 2L * k));
                }
            }
        });
        return new Bf16PanelMatrix(data, rows, cols);
    }

    /** The memory holding the panels (for placement checks). */
    MemorySegment data() {
        return data;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public DType dtype() {
        return DType.BF16;
    }

    @Override
    public int rowAlignment() {
        return NR;
    }

    @Override
    public void multiply(float[] in, int inOffset, float[] out, int outOffset, int tokens) {
        if (tokens <= 0) {
            throw new IllegalArgumentException("tokens must be positive: " + tokens);
        }
        Objects.checkFromIndexSize(inOffset, Math.multiplyExact(tokens, cols), in.length);
        Objects.checkFromIndexSize(outOffset, Math.multiplyExact(tokens, rows), out.length);
        if (tokens == 1) {
            RowChunks.run(rows, NR, (from, to) -> gemv(in, inOffset, out, outOffset, from, to));
            return;
        }
        if (tokens % GROUP == 0) {
            batch(in, inOffset, out, outOffset, tokens);
        } else {
            // The batch kernel takes GROUP tokens at a time: pad the input once with zero rows.
            int padded = (tokens + GROUP - 1) / GROUP * GROUP;
            float[] x = Scratch.get().sharedInput(padded * cols);
            System.arraycopy(in, inOffset, x, 0, tokens * cols);
            Arrays.fill(x, tokens * cols, padded * cols, 0f);
            batch(x, 0, out, outOffset, tokens);
        }
    }

    /**
     * {@code tokens} rows of {@code x} (padded with zero rows to a multiple of GROUP) over the pool, a tile per work
     * item (small items balance the two cores best; a tile's first group reads it from memory whatever the order),
     * times token ranges when there are too few tiles to keep every thread busy (each range reads its tiles from
     * memory again, so ranges are not made small).
     */
    private void batch(float[] x, int x0, float[] out, int outOffset, int tokens) {
        int wanted = ITEMS_PER_THREAD * Parallel.threads();
        int groups = (tokens + GROUP - 1) / GROUP;
        int ranges = tiles >= wanted ? 1
                : Math.max(1, Math.min((wanted + tiles - 1) / tiles, groups / MIN_GROUPS_PER_RANGE));
        int rangeGroups = (groups + ranges - 1) / ranges;
        Parallel.forEach(tiles * ranges, i -> {
            int tile = i / ranges;
            int t0 = i % ranges * rangeGroups * GROUP;
            int t1 = Math.min(tokens, t0 + rangeGroups * GROUP);
            for (int t = t0; t < t1; t += GROUP) {
                gemv4(x, x0 + t * cols, out, outOffset + t * rows, Math.min(GROUP, t1 - t), tile);
            }
        });
    }

    /**
     * One token, rows [from, to) with {@code from} a multiple of NR: per tile, NR/LANES accumulators, each column's
     * weights widened and multiplied by the broadcast activation.
     */
    @Override
    public void gemv(float[] x, int xOffset, float[] out, int outOffset, int from, int to) {
        float[] sums = Scratch.get().sums(NR);
        for (int row0 = from; row0 < to; row0 += NR) {
            MemorySegment tile = tileMemory(row0 / NR);
            FloatVector c0 = FloatVector.zero(F);
            FloatVector c1 = FloatVector.zero(F);
            FloatVector c2 = FloatVector.zero(F);
            FloatVector c3 = FloatVector.zero(F);
            int n = NR * cols;
            for (int p = 0, k = xOffset; p < n; p += NR, k++) {
                FloatVector b = FloatVector.broadcast(F, x[k]);
                c0 = WideningLoads.bf16(tile, 2L * p).fma(b, c0);
                c1 = WideningLoads.bf16(tile, 2L * (p + LANES)).fma(b, c1);
                c2 = WideningLoads.bf16(tile, 2L * (p + 2 * LANES)).fma(b, c2);
                c3 = WideningLoads.bf16(tile, 2L * (p + 3 * LANES)).fma(b, c3);
            }
            // Whole vectors go through a small buffer: handing vectors to a helper method left them boxed
            // (measured 15x slower on the four-token kernel).
            c0.intoArray(sums, 0);
            c1.intoArray(sums, LANES);
            c2.intoArray(sums, 2 * LANES);
            c3.intoArray(sums, 3 * LANES);
            System.arraycopy(sums, 0, out, outOffset + row0, Math.min(NR, rows - row0));
        }
    }

    /**
     * Four token rows of {@code x} (of which the first {@code tokens} are real) against one tile: each widened weight
     * vector is used for the four tokens in registers, with the same chain per output as the one-token product. The
     * first group of a batch streams the tile from memory at nearly the one-token rate; the tile (at most a few
     * hundred KiB of BF16) then stays in L2 for the batch's further groups, which run at the FMA units' rate (16
     * FMAs to 4 loads a column). Widening in registers beat widening the tile to an F32 buffer first and running a
     * 6-token register-blocked kernel over it (bench layers, 32 tokens: the buffer pass could not overlap the
     * arithmetic and cost about a third of the product; a six-token kernel widening in registers spilled and ran at a
     * fifth of this rate).
     */
    private void gemv4(float[] x, int x0, float[] out, int outOffset, int tokens, int tileIndex) {
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        float[] sums = Scratch.get().sums(GROUP * NR);
        int row0 = tileIndex * NR;
        MemorySegment tile = tileMemory(tileIndex);
        FloatVector c00 = FloatVector.zero(F);
        FloatVector c01 = FloatVector.zero(F);
        FloatVector c02 = FloatVector.zero(F);
        FloatVector c03 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F);
        FloatVector c11 = FloatVector.zero(F);
        FloatVector c12 = FloatVector.zero(F);
        FloatVector c13 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F);
        FloatVector c21 = FloatVector.zero(F);
        FloatVector c22 = FloatVector.zero(F);
        FloatVector c23 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F);
        FloatVector c31 = FloatVector.zero(F);
        FloatVector c32 = FloatVector.zero(F);
        FloatVector c33 = FloatVector.zero(F);
        int n = NR * cols;
        for (int p = 0, k = 0; p < n; p += NR, k++) {
            FloatVector w0 = WideningLoads.bf16(tile, 2L * p);
            FloatVector w1 = WideningLoads.bf16(tile, 2L * (p + LANES));
            FloatVector w2 = WideningLoads.bf16(tile, 2L * (p + 2 * LANES));
            FloatVector w3 = WideningLoads.bf16(tile, 2L * (p + 3 * LANES));
            FloatVector b = FloatVector.broadcast(F, x[x0 + k]);
            c00 = w0.fma(b, c00);
            c01 = w1.fma(b, c01);
            c02 = w2.fma(b, c02);
            c03 = w3.fma(b, c03);
            b = FloatVector.broadcast(F, x[x1 + k]);
            c10 = w0.fma(b, c10);
            c11 = w1.fma(b, c11);
            c12 = w2.fma(b, c12);
            c13 = w3.fma(b, c13);
            b = FloatVector.broadcast(F, x[x2 + k]);
            c20 = w0.fma(b, c20);
            c21 = w1.fma(b, c21);
            c22 = w2.fma(b, c22);
            c23 = w3.fma(b, c23);
            b = FloatVector.broadcast(F, x[x3 + k]);
            c30 = w0.fma(b, c30);
            c31 = w1.fma(b, c31);
            c32 = w2.fma(b, c32);
            c33 = w3.fma(b, c33);
        }
        c00.intoArray(sums, 0);
        c01.intoArray(sums, LANES);
        c02.intoArray(sums, 2 * LANES);
        c03.intoArray(sums, 3 * LANES);
        c10.intoArray(sums, NR);
        c11.intoArray(sums, NR + LANES);
        c12.intoArray(sums, NR + 2 * LANES);
        c13.intoArray(sums, NR + 3 * LANES);
        c20.intoArray(sums, 2 * NR);
        c21.intoArray(sums, 2 * NR + LANES);
        c22.intoArray(sums, 2 * NR + 2 * LANES);
        c23.intoArray(sums, 2 * NR + 3 * LANES);
        c30.intoArray(sums, 3 * NR);
        c31.intoArray(sums, 3 * NR + LANES);
        c32.intoArray(sums, 3 * NR + 2 * LANES);
        c33.intoArray(sums, 3 * NR + 3 * LANES);
        int valid = Math.min(NR, rows - row0);
        for (int t = 0; t < tokens; t++) {
            System.arraycopy(sums, t * NR, out, outOffset + t * rows + row0, valid);
        }
    }

    /**
     * Tile {@code tile}'s memory. Kernels index it with int offsets, which lets the compiler hoist the segment's
     * bounds checks out of the column loop (a long running offset into the whole matrix streamed ~30 % slower).
     */
    private MemorySegment tileMemory(int tile) {
        return data.asSlice(tile * tileBytes, tileBytes);
    }

    @Override
    public void copyRow(int row, float[] dst, int dstOffset) {
        Objects.checkIndex(row, rows);
        Objects.checkFromIndexSize(dstOffset, cols, dst.length);
        long o = (long) (row / NR) * tileBytes + 2L * (row % NR);
        for (int k = 0; k < cols; k++) {
            dst[dstOffset + k] = WideningLoads.bf16Scalar(data, o + 2L * k * NR);
        }
    }
}
