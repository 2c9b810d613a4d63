package io.kvasir.engine.model;

/**
 * A layer's feed-forward step: a dense SwiGLU MLP, or a mixture of experts. Called by one forward pass at a time.
 */
public interface FeedForward {

    /** {@code out[T×H] = FFN(in[T×H])} for the T tokens of {@code batch}; {@code out} is overwritten. */
    void apply(TokenBatch batch, float[] in, float[] out);

    /** Bytes of the matrices one token's pass reads (for bandwidth figures); experts count as one token uses them. */
    long matrixBytes();
}
