package io.kvasir.engine.pipeline;

/**
 * One sequence's new tokens in a pipelined pass, as every stage sees them: each stage keeps its own KV cache for its
 * layers and finds the sequence's block table by {@code sequence}. The ids travel too: a Read-ME stage's pre-gating
 * router reads them.
 *
 * @param start position of the first token (the sequence's length before the pass)
 */
public record StageChunk(long sequence, int start, int[] tokens, boolean allLogits) {

    public StageChunk {
        if (tokens.length == 0 || start < 0) {
            throw new IllegalArgumentException("a chunk needs tokens and a non-negative start");
        }
    }
}
