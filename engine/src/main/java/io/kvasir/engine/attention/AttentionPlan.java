package io.kvasir.engine.attention;

/**
 * Which keys each query block visits. Dense attention visits every earlier key; sparse methods return fewer
 * spans. The attention kernel executes any plan; plans never compute attention themselves.
 */
public interface AttentionPlan {

    /**
     * Keys visited by query head {@code head} for the query rows at positions
     * {@code [firstQueryPosition, lastQueryPosition]}.
     */
    KeySpans spans(int head, int firstQueryPosition, int lastQueryPosition);

    /** Every key at or before the last query (limited to the sliding window when {@code window > 0}). */
    static AttentionPlan dense(int window) {
        return (head, first, last) -> KeySpans.range(window > 0 ? Math.max(0, first - window + 1) : 0, last + 1);
    }
}
