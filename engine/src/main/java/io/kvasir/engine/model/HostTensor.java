package io.kvasir.engine.model;

import java.util.Arrays;

/**
 * A named F32 tensor on the heap, in Hugging Face naming and shape order ({@code [rows, cols]} for matrices).
 * Used to build models in memory (demo models, tests) before writing them as safetensors or GGUF.
 */
public record HostTensor(String name, long[] shape, float[] values) {

    public HostTensor {
        long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        if (n != values.length) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " needs " + n
                    + " values, got " + values.length);
        }
    }
}
