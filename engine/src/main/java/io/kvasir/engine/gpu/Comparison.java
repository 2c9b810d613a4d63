package io.kvasir.engine.gpu;

/**
 * The outcome of one GPU-vs-CPU check: the largest error of the GPU result against its CPU twin, measured as
 * {@code measure} says, and the tolerance it must not exceed.
 */
public record Comparison(String kernel, String measure, double maxError, double tolerance) {

    public boolean passed() {
        return maxError <= tolerance;   // false for NaN, so a NaN result never passes
    }

    @Override
    public String toString() {
        return String.format("%s %-34s max %s = %.3g (tolerance %.1g)", passed() ? "PASS" : "FAIL", kernel, measure,
                maxError, tolerance);
    }
}
