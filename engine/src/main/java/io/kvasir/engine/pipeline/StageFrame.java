package io.kvasir.engine.pipeline;

import java.util.List;

/**
 * A message between pipeline stages. {@link Kind#ACTIVATIONS}: a micro-batch's chunks and the hidden states
 * {@code [T×H]} entering the receiving stage. {@link Kind#OUTPUT}: the final stage's logits for that micro-batch,
 * relayed back along the chain. {@link Kind#FAILURE}: the pass failed downstream, with the reason.
 * {@link Kind#RELEASE}: the chunks' sequences are finished; stages free their KV.
 */
record StageFrame(Kind kind, long id, List<StageChunk> chunks, float[] values, String error) {

    enum Kind { ACTIVATIONS, OUTPUT, FAILURE, RELEASE }

    static StageFrame activations(long id, List<StageChunk> chunks, float[] hidden) {
        return new StageFrame(Kind.ACTIVATIONS, id, chunks, hidden, "");
    }

    static StageFrame output(long id, float[] logits) {
        return new StageFrame(Kind.OUTPUT, id, List.of(), logits, "");
    }

    static StageFrame failure(long id, String error) {
        return new StageFrame(Kind.FAILURE, id, List.of(), new float[0], error);
    }

    static StageFrame release(List<StageChunk> sequences) {
        return new StageFrame(Kind.RELEASE, 0, sequences, new float[0], "");
    }
}
