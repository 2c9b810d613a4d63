package io.kvasir.engine.attention;

/**
 * The keys one query block of one head attends to: disjoint ascending position ranges {@code [starts[i], ends[i])}
 * plus single extra key positions outside those ranges (vertical lines of sparse patterns). The kernel still
 * applies the causal mask and the sliding window, so a plan may name keys a row must not see.
 */
public record KeySpans(int[] starts, int[] ends, int[] extraColumns) {

    private static final int[] NONE = new int[0];

    public KeySpans {
        if (starts.length != ends.length) {
            throw new IllegalArgumentException("span starts and ends differ in length");
        }
    }

    public static KeySpans range(int start, int end) {
        return new KeySpans(new int[]{start}, new int[]{end}, NONE);
    }

    /** These keys restricted to positions [from, to). */
    public KeySpans within(int from, int to) {
        int n = 0;
        int[] s = new int[starts.length], e = new int[starts.length];
        for (int i = 0; i < starts.length; i++) {
            int a = Math.max(from, starts[i]), b = Math.min(to, ends[i]);
            if (a < b) {
                s[n] = a;
                e[n++] = b;
            }
        }
        return new KeySpans(java.util.Arrays.copyOf(s, n), java.util.Arrays.copyOf(e, n),
                java.util.Arrays.stream(extraColumns).filter(c -> c >= from && c < to).toArray());
    }
}
