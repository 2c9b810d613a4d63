package io.kvasir.engine.gpu;

import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.KeySpans;

import java.util.Arrays;
import java.util.Random;

/**
 * A representative MInference vertical-slash plan at MInference's default budgets, for benchmarking the kernel
 * where no model has estimated a real one. Per head: {@code verticals} key columns (the first 30 always, as the
 * attention sink, the rest random) and {@code slashes} diagonals (the 100 nearest always, the local band; the rest
 * in runs of 64 adjacent diagonals at random distances, since top-ranked diagonals cluster). As MInference's
 * kernel does, each query block turns every run of diagonals into one key range and merges overlapping ranges;
 * vertical columns outside those ranges are the extra columns.
 */
public final class VerticalSlashPlan implements AttentionPlan {

    static final int SINK_COLUMNS = 30;
    static final int LOCAL_DIAGONALS = 100;
    static final int DIAGONAL_RUN = 64;

    private final int[][] verticals;      // per head, sorted
    private final int[][] runStarts;      // per head: diagonal offsets (query − key) where a run starts, sorted
    private final int[][] runEnds;        // inclusive last offset of each run

    public VerticalSlashPlan(int numHeads, int length, int verticals, int slashes, long seed) {
        Random rnd = new Random(seed);
        this.verticals = new int[numHeads][];
        this.runStarts = new int[numHeads][];
        this.runEnds = new int[numHeads][];
        for (int h = 0; h < numHeads; h++) {
            this.verticals[h] = columns(rnd, length, Math.min(verticals, length));
            int far = Math.max(0, Math.min(slashes, length) - LOCAL_DIAGONALS);
            int runs = (far + DIAGONAL_RUN - 1) / DIAGONAL_RUN;
            int[] starts = new int[runs + 1];
            int[] ends = new int[runs + 1];
            starts[0] = 0;
            ends[0] = Math.min(slashes, LOCAL_DIAGONALS) - 1;
            for (int r = 1; r <= runs; r++) {
                int size = Math.min(DIAGONAL_RUN, far - (r - 1) * DIAGONAL_RUN);
                starts[r] = LOCAL_DIAGONALS + rnd.nextInt(Math.max(1, length - LOCAL_DIAGONALS - size));
                ends[r] = starts[r] + size - 1;
            }
            this.runStarts[h] = starts;
            this.runEnds[h] = ends;
        }
    }

    /** The sink columns plus distinct random ones, sorted. */
    private static int[] columns(Random rnd, int length, int count) {
        boolean[] taken = new boolean[length];
        int[] out = new int[count];
        int n = 0;
        for (; n < Math.min(SINK_COLUMNS, count); n++) {
            taken[n] = true;
            out[n] = n;
        }
        while (n < count) {
            int c = rnd.nextInt(length);
            if (!taken[c]) {
                taken[c] = true;
                out[n++] = c;
            }
        }
        Arrays.sort(out);
        return out;
    }

    @Override
    public KeySpans spans(int head, int first, int last) {
        int[] starts = runStarts[head];
        int[] ends = runEnds[head];
        // A run of diagonals [a, b] reaches keys [first − b, last − a] from this query block.
        long[] ranges = new long[starts.length];
        int n = 0;
        for (int r = 0; r < starts.length; r++) {
            int lo = Math.max(0, first - ends[r]);
            int hi = last - starts[r] + 1;
            if (hi > lo) {
                ranges[n++] = (long) lo << 32 | hi;
            }
        }
        Arrays.sort(ranges, 0, n);
        int[] merged = new int[2 * n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            int lo = (int) (ranges[i] >>> 32);
            int hi = (int) ranges[i];
            if (m > 0 && lo <= merged[2 * m - 1]) {
                merged[2 * m - 1] = Math.max(merged[2 * m - 1], hi);
            } else {
                merged[2 * m] = lo;
                merged[2 * m + 1] = hi;
                m++;
            }
        }
        int[] rangeStarts = new int[m];
        int[] rangeEnds = new int[m];
        for (int i = 0; i < m; i++) {
            rangeStarts[i] = merged[2 * i];
            rangeEnds[i] = merged[2 * i + 1];
        }
        int[] columns = verticals[head];
        int[] extra = new int[columns.length];
        int e = 0;
        int r = 0;
        for (int c : columns) {
            if (c > last) {
                break;
            }
            while (r < m && rangeEnds[r] <= c) {
                r++;
            }
            if (r == m || c < rangeStarts[r]) {
                extra[e++] = c;
            }
        }
        return new KeySpans(rangeStarts, rangeEnds, Arrays.copyOf(extra, e));
    }
}
