package io.kvasir.engine.gpu;

import io.kvasir.engine.model.RopeScaling;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.kvasir.engine.gpu.GpuAssumptions.assertPassed;

/** GPU kernels against their CPU twins; tolerances and their reasons are in {@link DenseKernelChecks}. */
class GpuDenseKernelsTest {

    @BeforeEach
    void gpu() {
        GpuAssumptions.assumeGpu();
    }

    @Test
    void matmulPrefillShapeNotAMultipleOfTheTiles() {
        assertPassed(DenseKernelChecks.matmul(100, 300, 520, 1));
    }

    @Test
    void matmulSingleTokenDecode() {
        assertPassed(DenseKernelChecks.matmul(1, 257, 96, 2));
    }

    @Test
    void rmsNorm() {
        assertPassed(List.of(DenseKernelChecks.rmsNorm(7, 1000, 3)));
    }

    @Test
    void swiglu() {
        assertPassed(List.of(DenseKernelChecks.swiglu(10_007, 4)));
    }

    @Test
    void ropeAtLongPositions() {
        assertPassed(List.of(DenseKernelChecks.rope(RopeScaling.NONE, 37, 4, 64, 5)));
    }

    @Test
    void ropeWithYarnTemperature() {
        assertPassed(List.of(DenseKernelChecks.rope(new RopeScaling("yarn", 4, 32_768, 32, 1, 1, 4), 37, 4, 128, 6)));
    }
}
