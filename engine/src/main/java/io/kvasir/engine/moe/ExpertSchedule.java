package io.kvasir.engine.moe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The experts of the passes announced to come after the current one (from the pre-gating router over queued
 * tokens): Belady's lookahead and the next pass's prefetch. Every Read-ME layer requests the same experts in a pass,
 * so one schedule serves all layers.
 */
final class ExpertSchedule {

    private List<int[]> passes = List.of();
    private int[] flattened = new int[0];

    /** @param passes per upcoming pass, in order, the experts its tokens use */
    void announce(List<int[]> passes) {
        List<int[]> distinct = new ArrayList<>();
        for (int[] p : passes) {
            distinct.add(ExpertDispatch.distinct(p, p.length));
        }
        this.passes = List.copyOf(distinct);
        this.flattened = distinct.stream().flatMapToInt(Arrays::stream).toArray();
    }

    /** Requests each layer will make after this pass, in order. */
    int[] upcoming() {
        return flattened;
    }

    int[] firstUpcomingPass() {
        return passes.isEmpty() ? new int[0] : passes.getFirst();
    }
}
