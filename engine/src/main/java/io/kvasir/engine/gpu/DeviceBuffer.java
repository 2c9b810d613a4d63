package io.kvasir.engine.gpu;

import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;

/** A region of device memory, freed by {@link #close()}. Copies are synchronous. */
public final class DeviceBuffer implements AutoCloseable {

    private final CUdeviceptr pointer = new CUdeviceptr();
    private final long bytes;
    private boolean freed;

    private DeviceBuffer(long bytes) {
        this.bytes = bytes;
        // cuMemAlloc rejects 0 bytes; an empty plan array still needs a valid pointer to pass.
        cuMemAlloc(pointer, Math.max(bytes, 4));
    }

    public static DeviceBuffer allocate(long bytes) {
        Cuda.device();
        return new DeviceBuffer(bytes);
    }

    public static DeviceBuffer of(float[] values) {
        DeviceBuffer b = allocate((long) values.length * Sizeof.FLOAT);
        cuMemcpyHtoD(b.pointer, Pointer.to(values), b.bytes);
        return b;
    }

    public static DeviceBuffer of(int[] values) {
        DeviceBuffer b = allocate((long) values.length * Sizeof.INT);
        cuMemcpyHtoD(b.pointer, Pointer.to(values), b.bytes);
        return b;
    }

    /** Raw 16-bit values, e.g. BF16 bit patterns. */
    public static DeviceBuffer of(short[] values) {
        DeviceBuffer b = allocate((long) values.length * Sizeof.SHORT);
        cuMemcpyHtoD(b.pointer, Pointer.to(values), b.bytes);
        return b;
    }

    public static DeviceBuffer of(double[] values) {
        DeviceBuffer b = allocate((long) values.length * Sizeof.DOUBLE);
        cuMemcpyHtoD(b.pointer, Pointer.to(values), b.bytes);
        return b;
    }

    public float[] toFloats() {
        float[] out = new float[(int) (bytes / Sizeof.FLOAT)];
        cuMemcpyDtoH(Pointer.to(out), pointer, bytes);
        return out;
    }

    CUdeviceptr pointer() {
        return pointer;
    }

    @Override
    public void close() {
        if (!freed) {
            freed = true;
            cuMemFree(pointer);
        }
    }
}
