package io.kvasir.engine.gpu;

import org.junit.jupiter.api.Test;

import static io.kvasir.engine.gpu.GpuAssumptions.assertPassed;

/** GPU paged attention against {@code PagedAttention} on every case of {@link AttentionChecks}, at 1e-4. */
class GpuPagedAttentionTest {

    @Test
    void matchesTheCpuKernel() {
        GpuAssumptions.assumeGpu();
        for (var attentionCase : AttentionChecks.cases()) {
            assertPassed(attentionCase.get());
        }
    }
}
