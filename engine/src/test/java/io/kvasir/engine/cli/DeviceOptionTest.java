package io.kvasir.engine.cli;

import io.kvasir.engine.gpu.Cuda;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeviceOptionTest {

    private static DeviceOption device(String name) {
        DeviceOption option = new DeviceOption();
        option.device = name;
        return option;
    }

    @Test
    void cpuIsNotCuda() {
        assertFalse(device("cpu").cuda());
    }

    @Test
    void cudaIsUsableOrFailsWithTheReason() {
        if (Cuda.available()) {
            assertTrue(device("cuda").cuda());
        } else {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> device("cuda").cuda());
            assertEquals("--device cuda: no usable GPU: " + Cuda.unavailableReason(), e.getMessage());
        }
    }

    @Test
    void anUnknownDeviceIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> device("gpu").cuda());
    }

    @Test
    void forwardPassCommandsRefuseCuda() {
        assertThrows(IllegalArgumentException.class, () -> device("cuda").requireCpuForwardPass("generate"));
    }
}
