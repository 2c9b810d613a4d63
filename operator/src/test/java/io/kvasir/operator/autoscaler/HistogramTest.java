package io.kvasir.operator.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class HistogramTest {
    private static final double INF = Double.POSITIVE_INFINITY;

    @Test
    void quantileInterpolatesInsideTheBucketThatHoldsIt() {
        // 10 observations <= 1, 90 in (1, 2]: the 90th percentile is 80 of 90 into (1, 2].
        var h = new Histogram(new double[] {1, 2, INF}, new double[] {10, 100, 100});
        assertThat(h.quantile(0.9)).isCloseTo(1 + 80.0 / 90, within(1e-9));
        assertThat(h.quantile(0.05)).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void aQuantileInTheInfBucketIsTheHighestFiniteBound() {
        var h = new Histogram(new double[] {1, 2, INF}, new double[] {0, 0, 5});
        assertThat(h.quantile(0.9)).isEqualTo(2);
    }

    @Test
    void nothingObservedHasNoQuantile() {
        assertThat(Histogram.EMPTY.quantile(0.9)).isNaN();
        assertThat(new Histogram(new double[] {1, INF}, new double[] {0, 0}).quantile(0.5)).isNaN();
    }

    @Test
    void minusGivesTheObservationsBetweenTwoScrapes() {
        var earlier = new Histogram(new double[] {1, 2, INF}, new double[] {10, 20, 20});
        var later = new Histogram(new double[] {1, 2, INF}, new double[] {10, 30, 35});
        assertThat(later.minus(earlier)).isEqualTo(new Histogram(new double[] {1, 2, INF}, new double[] {0, 10, 15}));
    }

    @Test
    void aRestartedCounterGivesNoNegativeCounts() {
        var earlier = new Histogram(new double[] {1, INF}, new double[] {50, 60});
        var restarted = new Histogram(new double[] {1, INF}, new double[] {2, 3});
        assertThat(restarted.minus(earlier).cumulativeCounts()).containsExactly(0, 0);
    }

    @Test
    void plusAddsGatewaysBucketByBucket() {
        var a = new Histogram(new double[] {1, INF}, new double[] {1, 2});
        var b = new Histogram(new double[] {1, INF}, new double[] {3, 4});
        assertThat(a.plus(b).cumulativeCounts()).containsExactly(4, 6);
        assertThat(Histogram.EMPTY.plus(a)).isEqualTo(a);
    }
}
