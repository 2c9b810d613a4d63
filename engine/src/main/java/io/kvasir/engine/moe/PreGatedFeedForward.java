package io.kvasir.engine.moe;

import io.kvasir.engine.model.FeedForward;
import io.kvasir.engine.model.TokenBatch;

import java.util.Arrays;

/**
 * A Read-ME layer: each token runs through the one expert the pre-gating router chose for it (weight one). Since
 * every layer uses the same choices, this layer starts converting the next MoE layer's missing experts — or, at
 * the last layer, the first layer's experts of the next announced pass — before it computes its own.
 */
final class PreGatedFeedForward implements FeedForward {

    private final PreGatingRouter router;
    private final ExpertDispatch dispatch;
    private final ExpertSchedule schedule;
    private final ExpertCache next;            // the cache to prefetch into
    private final boolean nextIsNextPass;      // whether {@code next} serves the following pass (this is the last layer)
    private final long expertBytes;
    private float[] ones = new float[0];

    PreGatedFeedForward(PreGatingRouter router, ExpertDispatch dispatch, ExpertSchedule schedule, ExpertCache next,
                        boolean nextIsNextPass, long expertBytes) {
        this.router = router;
        this.dispatch = dispatch;
        this.schedule = schedule;
        this.next = next;
        this.nextIsNextPass = nextIsNextPass;
        this.expertBytes = expertBytes;
    }

    @Override
    public void apply(TokenBatch batch, float[] in, float[] out) {
        int T = batch.size();
        int[] experts = router.route(batch);
        if (ones.length < T) {
            ones = new float[T];
            Arrays.fill(ones, 1f);
        }
        if (nextIsNextPass) {
            next.prefetch(schedule.firstUpcomingPass());
        } else {
            next.prefetch(ExpertDispatch.distinct(experts, T));
        }
        dispatch.run(in, out, T, 1, experts, ones, schedule.upcoming());
    }

    @Override
    public long matrixBytes() {
        return expertBytes;
    }
}
