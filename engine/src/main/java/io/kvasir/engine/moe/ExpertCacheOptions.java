package io.kvasir.engine.moe;

/**
 * How a mixture's experts are kept in compute form.
 *
 * @param capacity most experts resident per layer; an expert used while absent is converted from the checkpoint
 * @param policy   which resident expert to evict for it
 * @param prefetch convert the experts the next MoE layer will use on a background thread while this one computes
 */
public record ExpertCacheOptions(int capacity, EvictionPolicy policy, boolean prefetch) {

    /** Every expert stays once used. */
    public static final ExpertCacheOptions ALL_RESIDENT = new ExpertCacheOptions(Integer.MAX_VALUE, EvictionPolicy.LRU, false);

    public ExpertCacheOptions {
        if (capacity < 1) {
            throw new IllegalArgumentException("expert cache capacity must be at least 1, got " + capacity);
        }
    }
}
