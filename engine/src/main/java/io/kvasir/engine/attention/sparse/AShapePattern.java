package io.kvasir.engine.attention.sparse;

import io.kvasir.engine.attention.AttentionInputs;
import io.kvasir.engine.attention.KeySpans;

/**
 * MInference's A-shape (StreamingLLM): the first {@code sinkTokens} keys plus a local window of {@code localTokens}
 * behind each row; a query block visits the union of its rows' windows. Static: nothing is estimated.
 */
record AShapePattern(int sinkTokens, int localTokens) implements HeadPattern {

    static final int DEFAULT_SINK = 128;
    static final int DEFAULT_LOCAL = 3968;

    @Override
    public KeySpans[] plan(AttentionInputs in, int head) {
        return HeadPattern.perBlock(in, (b, qb, first, last) -> {
            b.range(0, sinkTokens);
            b.range(first - localTokens + 1, last + 1);
        });
    }
}
