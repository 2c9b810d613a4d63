package io.kvasir.engine.model.format;

import io.kvasir.engine.tensor.DType;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A named tensor whose bytes live in a {@link MemorySegment} (usually a memory-mapped weight file).
 *
 * @param shape Hugging Face order: {@code [rows, cols]} for a matrix, {@code [n]} for a vector
 * @param data  little-endian, row-major, exactly {@code dtype.bytesFor(elements())} bytes
 */
public record Tensor(String name, DType dtype, long[] shape, MemorySegment data) {

    public Tensor {
        shape = shape.clone();
        long expected = dtype.bytesFor(Arrays.stream(shape).reduce(1, Math::multiplyExact));
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException(name + ": " + dtype + " " + Arrays.toString(shape) + " needs "
                    + expected + " bytes, got " + data.byteSize());
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long elements() {
        return Arrays.stream(shape).reduce(1, Math::multiplyExact);
    }

    /**
     * The values converted to F32 on the heap. Meant for small tensors (norms, biases) and tests; large
     * matrices stay in their mapped form and go through the kernels.
     */
    public float[] toFloats() {
        return FloatCodec.decode(dtype, data, Math.toIntExact(elements()));
    }
}
