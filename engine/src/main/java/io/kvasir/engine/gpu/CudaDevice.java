package io.kvasir.engine.gpu;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;

/**
 * CUDA device 0 with its primary context and the loaded kernel module. The context is made current on the
 * calling thread by {@link Cuda#device()}, since a CUDA context is per thread and callers may run on any thread.
 */
public final class CudaDevice {

    private final CUcontext context;
    private final CUmodule module;
    private final DeviceInfo info;
    private final Map<String, CUfunction> functions = new HashMap<>();

    private CudaDevice(CUcontext context, CUmodule module, DeviceInfo info) {
        this.context = context;
        this.module = module;
        this.info = info;
    }

    static CudaDevice open(KernelImage image) {
        try {
            JCudaDriver.setExceptionsEnabled(true);
            cuInit(0);
        } catch (LinkageError e) {
            throw new GpuUnavailableException(linkFailure(e), e);
        } catch (jcuda.CudaException e) {
            throw new GpuUnavailableException("cuInit failed (driver present, no usable GPU?): " + e.getMessage(), e);
        }
        try {
            int[] count = new int[1];
            cuDeviceGetCount(count);
            if (count[0] == 0) {
                throw new GpuUnavailableException("no CUDA device: the driver loads but reports 0 devices");
            }
            CUdevice dev = new CUdevice();
            cuDeviceGet(dev, 0);
            CUcontext context = new CUcontext();
            cuDevicePrimaryCtxRetain(context, dev);
            cuCtxSetCurrent(context);
            DeviceInfo info = describe(dev);
            if (info.computeMajor() < 8) {
                throw new GpuUnavailableException(info.name() + " has compute capability " + info.computeCapability()
                        + "; the BF16 tensor-core kernels need 8.0 or newer");
            }
            return new CudaDevice(context, loadModule(image), info);
        } catch (jcuda.CudaException e) {
            throw new GpuUnavailableException("CUDA device setup failed: " + e.getMessage(), e);
        }
    }

    /**
     * JCuda's message lists every way it tried to load its library, stack traces included; the line that names the
     * missing shared object is the one that says what to install.
     */
    private static String linkFailure(LinkageError e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        String detail = message.lines().filter(l -> l.contains("cannot open shared object")).reduce((a, b) -> b)
                .orElse(message.lines().findFirst().orElse(message));
        return detail.contains("libcuda.so")
                ? "no CUDA driver: libcuda.so.1 cannot be loaded (" + detail.strip() + ")"
                : "JCuda's native library cannot be loaded: " + detail.strip();
    }

    /**
     * The fat binary first (machine code for sm_90, else the driver JIT-compiles its PTX); a driver older than the
     * nvcc that built it rejects both, so then the PTX is tried declared as an older ISA version.
     */
    private static CUmodule loadModule(KernelImage image) {
        CUmodule module = new CUmodule();
        try {
            cuModuleLoadData(module, image.fatbin());
            return module;
        } catch (jcuda.CudaException fatbinFailure) {
            try {
                cuModuleLoadData(module, image.ptxForOlderDrivers());
                return module;
            } catch (jcuda.CudaException ptxFailure) {
                throw new GpuUnavailableException("cannot load the GPU kernels: fat binary: " + fatbinFailure.getMessage()
                        + "; PTX (ISA 7.8): " + ptxFailure.getMessage() + " (driver " + driverVersion() + ")");
            }
        }
    }

    private static DeviceInfo describe(CUdevice dev) {
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, dev);
        int len = 0;
        while (len < name.length && name[len] != 0) {
            len++;
        }
        long[] memory = new long[1];
        cuDeviceTotalMem(memory, dev);
        return new DeviceInfo(new String(name, 0, len, StandardCharsets.UTF_8),
                attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
                attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR),
                attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT),
                clockKhz(dev),
                attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN),
                memory[0], driverVersion());
    }

    private static int attribute(CUdevice dev, int attribute) {
        int[] value = new int[1];
        cuDeviceGetAttribute(value, attribute, dev);
        return value[0];
    }

    /** 0 when the driver no longer reports it (the attribute is deprecated since CUDA 12): the peak is then unknown. */
    private static int clockKhz(CUdevice dev) {
        try {
            return attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_CLOCK_RATE);
        } catch (jcuda.CudaException e) {
            return 0;
        }
    }

    private static String driverVersion() {
        int[] v = new int[1];
        cuDriverGetVersion(v);
        return v[0] / 1000 + "." + (v[0] % 1000) / 10;
    }

    public DeviceInfo info() {
        return info;
    }

    /** The kernel {@code name} of the module (an extern "C" entry point of kvasir_kernels.cu). */
    synchronized CUfunction function(String name) {
        return functions.computeIfAbsent(name, n -> {
            CUfunction f = new CUfunction();
            cuModuleGetFunction(f, module, n);
            return f;
        });
    }

    /** Waits for every launched kernel; CUDA reports a kernel's failure here, as an exception. */
    public void synchronize() {
        cuCtxSynchronize();
    }

    void bind() {
        cuCtxSetCurrent(context);
    }
}
