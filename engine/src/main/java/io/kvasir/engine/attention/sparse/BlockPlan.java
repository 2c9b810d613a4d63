package io.kvasir.engine.attention.sparse;

import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.KeySpans;
import io.kvasir.engine.attention.PagedAttention;

/**
 * A plan computed ahead for one chunk: per query head and 64-row query block of the chunk (counted from the chunk's
 * first row at {@code firstPosition}), the keys to visit. A head without spans (null row) attends densely.
 */
public final class BlockPlan implements AttentionPlan {

    private final int firstPosition;
    private final KeySpans[][] spans;
    private final int window;

    /** {@code spans[head][queryBlock]}; a null {@code spans[head]} means dense for that head. */
    public BlockPlan(int firstPosition, KeySpans[][] spans, int window) {
        this.firstPosition = firstPosition;
        this.spans = spans;
        this.window = window;
    }

    @Override
    public KeySpans spans(int head, int firstQueryPosition, int lastQueryPosition) {
        int offset = firstQueryPosition - firstPosition;
        if (offset < 0 || offset % PagedAttention.QUERY_BLOCK != 0) {
            throw new IllegalArgumentException("query block at " + firstQueryPosition
                    + " is not aligned to this plan's 64-row blocks from " + firstPosition);
        }
        if (spans[head] == null) {
            return AttentionPlan.dense(window).spans(head, firstQueryPosition, lastQueryPosition);
        }
        return spans[head][offset / PagedAttention.QUERY_BLOCK];
    }
}
