package io.kvasir.engine.gpu;

import jcuda.Pointer;

import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUfunction;

/**
 * One launch of a kernel of the module: grid, block, dynamic shared memory, and the arguments in the order of the
 * kernel's parameters — {@link DeviceBuffer}s (or null for a null pointer), Integer, Float, Double.
 */
final class KernelLaunch {

    private final CudaDevice device;
    private final String kernel;
    private int gridX = 1;
    private int gridY = 1;
    private int blockX = 1;
    private int sharedBytes;

    private KernelLaunch(CudaDevice device, String kernel) {
        this.device = device;
        this.kernel = kernel;
    }

    static KernelLaunch of(String kernel) {
        return new KernelLaunch(Cuda.device(), kernel);
    }

    KernelLaunch grid(int x, int y) {
        gridX = x;
        gridY = y;
        return this;
    }

    KernelLaunch block(int threads) {
        blockX = threads;
        return this;
    }

    /** Dynamic shared memory; above 48 KiB a kernel must opt in, which this does. */
    KernelLaunch sharedBytes(int bytes) {
        sharedBytes = bytes;
        return this;
    }

    /** Enqueues the kernel; errors of the launch itself throw here, errors while it runs at the next synchronize. */
    void run(Object... args) {
        CUfunction f = device.function(kernel);
        if (sharedBytes > 48 * 1024) {
            cuFuncSetAttribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, sharedBytes);
        }
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            params[i] = switch (args[i]) {
                case null -> Pointer.to(new jcuda.driver.CUdeviceptr());
                case DeviceBuffer b -> Pointer.to(b.pointer());
                case Integer v -> Pointer.to(new int[]{v});
                case Float v -> Pointer.to(new float[]{v});
                case Double v -> Pointer.to(new double[]{v});
                default -> throw new IllegalArgumentException("unsupported kernel argument " + args[i].getClass());
            };
        }
        cuLaunchKernel(f, gridX, gridY, 1, blockX, 1, 1, sharedBytes, null, Pointer.to(params), null);
    }
}
