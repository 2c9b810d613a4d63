package io.kvasir.engine.model;

import io.kvasir.engine.moe.ExpertCacheOptions;

/**
 * How weights are prepared at load time.
 *
 * @param experts how many experts of a mixture stay resident per layer, and which one to evict
 */
public record WeightOptions(boolean quantizeQ8_0, ExpertCacheOptions experts) {

    public static final WeightOptions AS_STORED = new WeightOptions(false);

    public WeightOptions(boolean quantizeQ8_0) {
        this(quantizeQ8_0, ExpertCacheOptions.ALL_RESIDENT);
    }
}
