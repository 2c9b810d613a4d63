package io.kvasir.operator.autoscaler;

import java.util.Arrays;
import java.util.SortedMap;
import java.util.TreeMap;

/** A Prometheus histogram: cumulative counts per upper bound, the last bound being +Inf. */
public record Histogram(double[] upperBounds, double[] cumulativeCounts) {
    public static final Histogram EMPTY = new Histogram(new double[0], new double[0]);

    public static Histogram of(SortedMap<Double, Double> countsByBound) {
        double[] bounds = countsByBound.keySet().stream().mapToDouble(Double::doubleValue).toArray();
        double[] counts = countsByBound.values().stream().mapToDouble(Double::doubleValue).toArray();
        return new Histogram(bounds, counts);
    }

    public double count() {
        return cumulativeCounts.length == 0 ? 0 : cumulativeCounts[cumulativeCounts.length - 1];
    }

    /** Bucket-wise sum, for adding up the gateways' histograms. */
    public Histogram plus(Histogram other) {
        return combine(other, 1);
    }

    /** Bucket-wise difference: the observations made between two scrapes of the same counters. */
    public Histogram minus(Histogram earlier) {
        return combine(earlier, -1);
    }

    private Histogram combine(Histogram other, int sign) {
        var merged = new TreeMap<Double, Double>();
        for (int i = 0; i < upperBounds.length; i++) {
            merged.merge(upperBounds[i], cumulativeCounts[i], Double::sum);
        }
        for (int i = 0; i < other.upperBounds.length; i++) {
            merged.merge(other.upperBounds[i], sign * other.cumulativeCounts[i], Double::sum);
        }
        // A gateway that restarted between scrapes has counters below the earlier ones; its deltas are unusable.
        merged.replaceAll((bound, count) -> Math.max(0, count));
        return of(merged);
    }

    /**
     * The q-quantile by linear interpolation inside the bucket that holds it, as PromQL's histogram_quantile does;
     * NaN when nothing was observed. A quantile in the +Inf bucket is reported as the highest finite bound.
     */
    public double quantile(double q) {
        double total = count();
        if (total <= 0) {
            return Double.NaN;
        }
        double rank = q * total;
        double lowerBound = 0;
        double lowerCount = 0;
        for (int i = 0; i < upperBounds.length; i++) {
            if (cumulativeCounts[i] >= rank) {
                if (Double.isInfinite(upperBounds[i])) {
                    return lowerBound;
                }
                double inBucket = cumulativeCounts[i] - lowerCount;
                double fraction = inBucket == 0 ? 1 : (rank - lowerCount) / inBucket;
                return lowerBound + (upperBounds[i] - lowerBound) * fraction;
            }
            lowerBound = upperBounds[i];
            lowerCount = cumulativeCounts[i];
        }
        return lowerBound;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Histogram h && Arrays.equals(upperBounds, h.upperBounds)
                && Arrays.equals(cumulativeCounts, h.cumulativeCounts);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(upperBounds) + Arrays.hashCode(cumulativeCounts);
    }

    @Override
    public String toString() {
        return "Histogram" + Arrays.toString(upperBounds) + Arrays.toString(cumulativeCounts);
    }
}
