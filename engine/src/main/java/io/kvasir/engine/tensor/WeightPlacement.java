package io.kvasir.engine.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Where in memory a weight matrix copied at load time starts. Measured on the AMD EPYC (Zen 4) machines this project
 * runs on, with the bench model's BF16 matrices (rows of 2 and 5.5 KiB) streamed by the one-token product: a matrix
 * starting 64 or 128 bytes past a page boundary streams about 1.5 times as fast as one starting on a page boundary or
 * 192, 256 or 4032 bytes past it (the same ordering with the input vector at any offset; the plain streaming read shows
 * no such difference). Memory-mapped checkpoint tensors start wherever the file puts them, often at a slow offset,
 * which is one reason weights are copied into memory placed this way.
 */
final class WeightPlacement {

    static final long PAGE = 4096;
    /** Bytes past a page boundary at which every placed matrix starts. */
    static final long OFFSET = 64;

    private WeightPlacement() {
    }

    /** {@code bytes} of memory from {@code arena} starting {@link #OFFSET} bytes past a page boundary. */
    static MemorySegment allocate(Arena arena, long bytes) {
        return arena.allocate(bytes + PAGE, PAGE).asSlice(OFFSET, bytes);
    }
}
