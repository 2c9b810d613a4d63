package io.kvasir.engine.gpu;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Skips a GPU test, with the precise reason (no driver, no device, kernels not built), where there is no GPU. */
final class GpuAssumptions {

    private GpuAssumptions() {
    }

    static void assumeGpu() {
        assumeTrue(Cuda.available(), () -> "GPU test skipped: " + Cuda.unavailableReason());
    }

    static void assertPassed(Iterable<Comparison> comparisons) {
        for (Comparison c : comparisons) {
            org.junit.jupiter.api.Assertions.assertTrue(c.passed(), c::toString);
        }
    }
}
