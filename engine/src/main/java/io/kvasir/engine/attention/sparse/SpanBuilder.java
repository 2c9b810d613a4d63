package io.kvasir.engine.attention.sparse;

import io.kvasir.engine.attention.KeySpans;

import java.util.Arrays;

/**
 * Collects the key ranges and single columns of one query block in any order and builds {@link KeySpans}: ranges
 * sorted and merged (touching or overlapping ones become one), columns deduplicated and dropped where a range
 * already covers them, everything clipped to [0, limit).
 */
final class SpanBuilder {

    private int[] starts = new int[16];
    private int[] ends = new int[16];
    private int ranges;
    private int[] columns = new int[16];
    private int columnCount;

    void clear() {
        ranges = 0;
        columnCount = 0;
    }

    void range(int start, int end) {
        if (end <= start) {
            return;
        }
        if (ranges == starts.length) {
            starts = Arrays.copyOf(starts, ranges * 2);
            ends = Arrays.copyOf(ends, ranges * 2);
        }
        starts[ranges] = start;
        ends[ranges++] = end;
    }

    void column(int position) {
        if (columnCount == columns.length) {
            columns = Arrays.copyOf(columns, columnCount * 2);
        }
        columns[columnCount++] = position;
    }

    KeySpans build(int limit) {
        long[] packed = new long[ranges];
        int n = 0;
        for (int i = 0; i < ranges; i++) {
            int s = Math.max(0, starts[i]), e = Math.min(limit, ends[i]);
            if (s < e) {
                packed[n++] = ((long) s << 32) | e;
            }
        }
        Arrays.sort(packed, 0, n);
        int[] outStarts = new int[n], outEnds = new int[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            int s = (int) (packed[i] >>> 32), e = (int) packed[i];
            if (m > 0 && s <= outEnds[m - 1]) {
                outEnds[m - 1] = Math.max(outEnds[m - 1], e);
            } else {
                outStarts[m] = s;
                outEnds[m++] = e;
            }
        }
        int[] sortedColumns = Arrays.copyOf(columns, columnCount);
        Arrays.sort(sortedColumns);
        int[] kept = new int[columnCount];
        int k = 0, r = 0;
        for (int c : sortedColumns) {
            if (c < 0 || c >= limit || (k > 0 && kept[k - 1] == c)) {
                continue;
            }
            while (r < m && outEnds[r] <= c) {
                r++;
            }
            if (r < m && outStarts[r] <= c) {
                continue;
            }
            kept[k++] = c;
        }
        return new KeySpans(Arrays.copyOf(outStarts, m), Arrays.copyOf(outEnds, m), Arrays.copyOf(kept, k));
    }
}
