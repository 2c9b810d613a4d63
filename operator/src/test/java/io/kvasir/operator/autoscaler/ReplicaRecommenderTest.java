package io.kvasir.operator.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvasir.operator.api.AutoscalingSpec;
import io.kvasir.operator.api.DecodePoolSpec;
import io.kvasir.operator.api.PrefillPoolSpec;
import org.junit.jupiter.api.Test;

class ReplicaRecommenderTest {
    private static final AutoscalingSpec TARGETS = new AutoscalingSpec(true, 2.0, 0.1, 16, 15, 300, 600);
    private static final PrefillPoolSpec PREFILL = new PrefillPoolSpec(2, 1, 8, null, null, 2000);
    private static final DecodePoolSpec DECODE = new DecodePoolSpec(2, 1, 8, null, 1, 0, 32);

    private static LoadRates load(double promptTps, double ttft, double running, double waiting, double itl) {
        return new LoadRates(promptTps, 0, ttft, itl, running, waiting, 0);
    }

    @Test
    void noLoadGoesToTheMinimum() {
        assertThat(ReplicaRecommender.prefill(PREFILL, TARGETS, load(0, Double.NaN, 0, 0, Double.NaN), 4).replicas())
                .isEqualTo(1);
        assertThat(ReplicaRecommender.decode(DECODE, TARGETS, load(0, Double.NaN, 0, 0, Double.NaN), 4).replicas())
                .isEqualTo(1);
    }

    @Test
    void latencyWithinTheToleranceIsOnTarget() {
        // 2.15 s is within 10% of the 2 s target: the rate alone decides (3000/1600 -> 2).
        assertThat(ReplicaRecommender.prefill(PREFILL, TARGETS, load(3000, 2.15, 0, 0, 0), 2).replicas())
                .isEqualTo(2);
        assertThat(ReplicaRecommender.prefill(PREFILL, TARGETS, load(3000, 2.3, 0, 0, 0), 2).replicas())
                .isEqualTo(3);
    }

    @Test
    void aLatencyMissAtMostDoublesThePool() {
        assertThat(ReplicaRecommender.prefill(PREFILL, TARGETS, load(0, 30, 0, 0, 0), 3).replicas()).isEqualTo(6);
        assertThat(ReplicaRecommender.decode(DECODE, TARGETS, load(0, 0, 0, 0, 1.0), 2).replicas()).isEqualTo(4);
    }

    @Test
    void aLongQueueAddsAReplica() {
        var recommendation = ReplicaRecommender.prefill(PREFILL, TARGETS, load(100, 1, 0, 40, 0), 3);
        assertThat(recommendation.replicas()).isEqualTo(4);
        assertThat(recommendation.reason()).isEqualTo("40 requests waiting, above maxQueue 16");
    }

    @Test
    void neverAboveTheMaximum() {
        assertThat(ReplicaRecommender.prefill(PREFILL, TARGETS, load(1e6, 100, 0, 1000, 0), 8).replicas())
                .isEqualTo(8);
        assertThat(ReplicaRecommender.decode(DECODE, TARGETS, load(0, 0, 10_000, 0, 0), 1).replicas()).isEqualTo(8);
    }
}
