package io.kvasir.engine.attention.sparse;

import java.util.Arrays;

/** Indices of the k largest of n scores in linear expected time (quickselect on a copy), returned ascending. */
final class TopK {

    private TopK() {
    }

    static int[] indices(float[] scores, int n, int k) {
        if (k >= n) {
            int[] all = new int[n];
            Arrays.setAll(all, i -> i);
            return all;
        }
        if (k <= 0) {
            return new int[0];
        }
        float[] copy = Arrays.copyOf(scores, n);
        float threshold = select(copy, n - k);              // the k-th largest value
        int[] out = new int[k];
        int m = 0;
        for (int i = 0; i < n && m < k; i++) {
            if (scores[i] > threshold) {
                out[m++] = i;
            }
        }
        for (int i = 0; i < n && m < k; i++) {
            if (scores[i] == threshold) {
                out[m++] = i;
            }
        }
        Arrays.sort(out);
        return out;
    }

    /** The value that would sit at index {@code rank} of the ascending sort of a[0, n); reorders a. */
    private static float select(float[] a, int rank) {
        int lo = 0, hi = a.length - 1;
        java.util.SplittableRandom random = new java.util.SplittableRandom(rank);
        while (lo < hi) {
            float pivot = a[lo + random.nextInt(hi - lo + 1)];
            int i = lo, j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    float t = a[i];
                    a[i++] = a[j];
                    a[j--] = t;
                }
            }
            if (rank <= j) {
                hi = j;
            } else if (rank >= i) {
                lo = i;
            } else {
                return a[rank];
            }
        }
        return a[rank];
    }
}
