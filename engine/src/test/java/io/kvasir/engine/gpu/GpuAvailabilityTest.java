package io.kvasir.engine.gpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The probe gives a reason exactly when there is no GPU, and asking for the device then fails with that reason. */
class GpuAvailabilityTest {

    @Test
    void unavailableMeansAReasonAndAFailingDevice() {
        if (Cuda.available()) {
            assertNull(Cuda.unavailableReason());
            assertNotNull(Cuda.device().info().name());
        } else {
            assertFalse(Cuda.unavailableReason().isBlank());
            GpuUnavailableException e = assertThrows(GpuUnavailableException.class, Cuda::device);
            assertEquals(Cuda.unavailableReason(), e.getMessage());
        }
    }
}
