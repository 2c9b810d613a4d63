package io.kvasir.engine.model;

import java.util.List;

/**
 * The tokens of one forward pass, flattened in chunk order, as a feed-forward step sees them: what a pre-gating
 * router needs (ids and their sequences) without the attention bookkeeping.
 *
 * @param token    id of each of the T tokens
 * @param position its position in its sequence
 * @param chunkOf  index into {@code chunks} of its sequence chunk
 */
public record TokenBatch(List<SequenceChunk> chunks, int[] token, int[] position, int[] chunkOf) {

    public int size() {
        return token.length;
    }
}
