package io.kvasir.engine.attention;

/**
 * Chooses the attention plan of one layer for one chunk of new queries, from the chunk's own post-RoPE queries and
 * the keys already in the cache (sparse methods estimate their indices this way). The forward pass calls it once
 * per (layer, chunk) before attention, after the chunk's keys were stored.
 */
public interface AttentionPlanner {

    /** The plan for {@code inputs}, or null for dense attention. */
    AttentionPlan plan(int layer, AttentionInputs inputs);
}
