package io.kvasir.engine.tensor;

/** Element types of weight tensors. Activations are always F32. */
public enum DType {
    F32(4, 1),
    F16(2, 1),
    BF16(2, 1),
    /** GGML Q8_0: blocks of 32 weights, each an F16 scale followed by 32 signed bytes (34 bytes). */
    Q8_0(34, 32);

    private final int blockBytes;
    private final int blockSize;

    DType(int blockBytes, int blockSize) {
        this.blockBytes = blockBytes;
        this.blockSize = blockSize;
    }

    /** Bytes needed for {@code elements} values (a multiple of the block size for block types). */
    public long bytesFor(long elements) {
        if (elements % blockSize != 0) {
            throw new IllegalArgumentException(name() + " needs a multiple of " + blockSize + " elements, got " + elements);
        }
        return elements / blockSize * blockBytes;
    }

    public int blockSize() {
        return blockSize;
    }
}
