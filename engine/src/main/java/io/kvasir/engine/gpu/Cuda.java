package io.kvasir.engine.gpu;

/**
 * Whether this process can use a CUDA GPU, and the one device it uses (device 0). The first call probes once:
 * the driver library, a device, and the kernels built into the classpath; {@link #unavailableReason()} says which
 * of them is missing, so callers can fail or skip with the real cause.
 */
public final class Cuda {

    private static CudaDevice device;
    private static String unavailableReason;
    private static boolean probed;

    private Cuda() {
    }

    public static synchronized boolean available() {
        probe();
        return device != null;
    }

    /** Why {@link #available()} is false; null when it is true. */
    public static synchronized String unavailableReason() {
        probe();
        return unavailableReason;
    }

    /** The device, or {@link GpuUnavailableException} with the reason. */
    public static synchronized CudaDevice device() {
        probe();
        if (device == null) {
            throw new GpuUnavailableException(unavailableReason);
        }
        device.bind();
        return device;
    }

    private static void probe() {
        if (probed) {
            return;
        }
        probed = true;
        try {
            device = CudaDevice.open(KernelImage.load());
        } catch (GpuUnavailableException e) {
            unavailableReason = e.getMessage();
        }
    }
}
