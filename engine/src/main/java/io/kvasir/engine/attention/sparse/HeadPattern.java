package io.kvasir.engine.attention.sparse;

import io.kvasir.engine.attention.AttentionInputs;
import io.kvasir.engine.attention.KeySpans;
import io.kvasir.engine.attention.PagedAttention;

/** A sparse pattern of one query head: for each query block of a chunk, the keys it visits. */
interface HeadPattern {

    /** {@code spans[queryBlock]} for {@code head} over the chunk in {@code in}. */
    KeySpans[] plan(AttentionInputs in, int head);

    /** Spans of every query block of the chunk, from the per-block builder {@code fill(builder, first, last)}. */
    static KeySpans[] perBlock(AttentionInputs in, BlockFiller fill) {
        KeySpans[] out = new KeySpans[in.queryBlocks()];
        SpanBuilder b = new SpanBuilder();
        for (int qb = 0; qb < out.length; qb++) {
            int first = in.firstPosition() + qb * PagedAttention.QUERY_BLOCK;
            int last = Math.min(in.lastPosition(), first + PagedAttention.QUERY_BLOCK - 1);
            b.clear();
            fill.fill(b, qb, first, last);
            out[qb] = b.build(last + 1);
        }
        return out;
    }

    interface BlockFiller {
        void fill(SpanBuilder b, int queryBlock, int firstPosition, int lastPosition);
    }
}
