package io.kvasir.engine.moe;

/** The k largest of a row of router probabilities, largest first; ties go to the lower expert id. */
final class TopK {

    private TopK() {
    }

    static void select(float[] p, int off, int n, int k, int[] ids, float[] values, int outOff) {
        for (int s = 0; s < k; s++) {
            int best = -1;
            for (int e = 0; e < n; e++) {
                if (!taken(ids, outOff, s, e) && (best < 0 || p[off + e] > p[off + best])) {
                    best = e;
                }
            }
            ids[outOff + s] = best;
            values[outOff + s] = p[off + best];
        }
    }

    private static boolean taken(int[] ids, int off, int count, int e) {
        for (int i = 0; i < count; i++) {
            if (ids[off + i] == e) {
                return true;
            }
        }
        return false;
    }
}
