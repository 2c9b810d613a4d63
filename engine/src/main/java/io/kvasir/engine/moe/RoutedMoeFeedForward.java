package io.kvasir.engine.moe;

import io.kvasir.engine.model.DenseFeedForward;
import io.kvasir.engine.model.FeedForward;
import io.kvasir.engine.model.TokenBatch;
import io.kvasir.engine.tensor.VectorOps;
import io.kvasir.engine.tensor.WeightMatrix;

/**
 * A sparse MoE block with its own router (Qwen2-MoE, Mixtral): softmax over the router's logits, the top-k experts
 * per token, their probabilities renormalized to sum to one when {@code normTopk}; plus, for Qwen2-MoE, a shared
 * expert every token uses, scaled by {@code sigmoid(shared_expert_gate · x)}.
 */
final class RoutedMoeFeedForward implements FeedForward {

    private final WeightMatrix router;                  // [E×H]
    private final int k;
    private final boolean normTopk;
    private final ExpertDispatch dispatch;
    private final DenseFeedForward shared;              // null when none
    private final WeightMatrix sharedGate;              // [1×H]
    private final long expertBytes;
    private float[] logits = new float[0], weight = new float[0], sharedOut = new float[0], sharedScale = new float[0];
    private int[] expert = new int[0];

    RoutedMoeFeedForward(WeightMatrix router, int k, boolean normTopk, ExpertDispatch dispatch,
                         DenseFeedForward shared, WeightMatrix sharedGate, long expertBytes) {
        this.router = router;
        this.k = k;
        this.normTopk = normTopk;
        this.dispatch = dispatch;
        this.shared = shared;
        this.sharedGate = sharedGate;
        this.expertBytes = expertBytes;
    }

    @Override
    public void apply(TokenBatch batch, float[] in, float[] out) {
        int T = batch.size(), E = router.rows(), H = router.cols();
        if (expert.length < T * k) {
            expert = new int[T * k];
            weight = new float[T * k];
            logits = new float[T * E];
            sharedOut = new float[T * H];
            sharedScale = new float[T];
        }
        router.multiply(in, logits, T);                                 // logits[T×E]
        for (int t = 0; t < T; t++) {
            VectorOps.softmaxInPlace(logits, t * E, E);
            TopK.select(logits, t * E, E, k, expert, weight, t * k);
            if (normTopk) {
                float sum = 0;
                for (int s = 0; s < k; s++) {
                    sum += weight[t * k + s];
                }
                for (int s = 0; s < k; s++) {
                    weight[t * k + s] /= sum;
                }
            }
        }
        dispatch.run(in, out, T, k, expert, weight, new int[0]);        // out[T×H] = Σ weight · expert(x)
        if (shared != null) {
            shared.apply(in, sharedOut, T);                             // out += sigmoid(gate·x) · shared(x)
            sharedGate.multiply(in, sharedScale, T);
            for (int t = 0; t < T; t++) {
                float scale = (float) (1 / (1 + Math.exp(-sharedScale[t])));
                VectorOps.axpy(scale, sharedOut, t * H, out, t * H, H);
            }
        }
    }

    @Override
    public long matrixBytes() {
        long bytes = bytes(router) + k * expertBytes;
        if (shared != null) {
            bytes += shared.matrixBytes() + bytes(sharedGate);
        }
        return bytes;
    }

    private static long bytes(WeightMatrix m) {
        return m.dtype().bytesFor((long) m.rows() * m.cols());
    }
}
