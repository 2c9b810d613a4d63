package io.kvasir.engine.moe;

import io.kvasir.engine.model.DenseFeedForward;
import io.kvasir.engine.tensor.VectorOps;

import java.util.Arrays;

/**
 * Expert-aware batching for one MoE layer: the pass's tokens are split by expert, and each expert runs once over
 * all its tokens as one batched product. Experts already resident go first and absent ones after, so no resident
 * expert is evicted before its own tokens ran. Each (token, slot) result lands in its own row and the weighted
 * sum is taken in slot order afterwards, so the output does not depend on the order experts ran in.
 */
final class ExpertDispatch {

    private final ExpertCache cache;
    private final int hidden;
    private float[] gathered = new float[0], results = new float[0], slotOut = new float[0];
    private int[] slotOfRow = new int[0];

    ExpertDispatch(ExpertCache cache, int hidden) {
        this.cache = cache;
        this.hidden = hidden;
    }

    /**
     * {@code out[t] = Σ_s weight[t·k+s] · expert[t·k+s](in[t])} for {@code t < tokens}.
     *
     * @param upcoming the experts this layer will request after this pass, in order, as far as known (Belady's
     *                 lookahead); empty when the future is unknown
     */
    void run(float[] in, float[] out, int tokens, int k, int[] expert, float[] weight, int[] upcoming) {
        int H = hidden, slots = tokens * k;
        grow(slots, H);
        int[] order = order(distinct(expert, slots));
        for (int i = 0; i < order.length; i++) {
            int e = order[i], rows = 0;
            DenseFeedForward ffn = cache.acquire(e, nextUse(order, i, upcoming));
            for (int s = 0; s < slots; s++) {                         // gathered[rows×H] = in[token of slot s]
                if (expert[s] == e) {
                    System.arraycopy(in, (s / k) * H, gathered, rows * H, H);
                    slotOfRow[rows++] = s;
                }
            }
            ffn.apply(gathered, results, rows);                         // results[rows×H]
            for (int r = 0; r < rows; r++) {
                System.arraycopy(results, r * H, slotOut, slotOfRow[r] * H, H);
            }
        }
        Arrays.fill(out, 0, tokens * H, 0f);
        for (int s = 0; s < slots; s++) {
            VectorOps.axpy(weight[s], slotOut, s * H, out, (s / k) * H, H);
        }
    }

    /** The distinct experts of a pass, resident first, each group in ascending id. */
    private int[] order(int[] distinct) {
        int[] order = new int[distinct.length];
        int n = 0;
        for (int e : distinct) {
            if (cache.isResident(e)) {
                order[n++] = e;
            }
        }
        for (int e : distinct) {
            if (!cache.isResident(e)) {
                order[n++] = e;
            }
        }
        return order;
    }

    static int[] distinct(int[] expert, int n) {
        return Arrays.stream(expert, 0, n).distinct().sorted().toArray();
    }

    /** Distances counted in requests from now: the rest of this pass, then {@code upcoming}. */
    private static NextUse nextUse(int[] order, int current, int[] upcoming) {
        return e -> {
            for (int j = current + 1; j < order.length; j++) {
                if (order[j] == e) {
                    return j - current - 1;
                }
            }
            for (int j = 0; j < upcoming.length; j++) {
                if (upcoming[j] == e) {
                    return order.length - current - 1 + j;
                }
            }
            return NextUse.NEVER;
        };
    }

    private void grow(int slots, int width) {
        if (slotOfRow.length < slots) {
            gathered = new float[slots * width];
            results = new float[slots * width];
            slotOut = new float[slots * width];
            slotOfRow = new int[slots];
        }
    }
}
