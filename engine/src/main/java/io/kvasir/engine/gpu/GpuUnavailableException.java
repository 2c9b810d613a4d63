package io.kvasir.engine.gpu;

/** No usable GPU: no driver, no device, kernels not built, or a CUDA call failed. The message says which. */
public final class GpuUnavailableException extends RuntimeException {

    public GpuUnavailableException(String message) {
        super(message);
    }

    public GpuUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
