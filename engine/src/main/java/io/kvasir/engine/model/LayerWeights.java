package io.kvasir.engine.model;

import io.kvasir.engine.tensor.WeightMatrix;

/** One decoder layer's weights. Biases are null when the architecture has none. */
record LayerWeights(
        float[] inputNorm,
        WeightMatrix q, WeightMatrix k, WeightMatrix v, WeightMatrix o,
        float[] qBias, float[] kBias, float[] vBias,
        float[] postAttentionNorm,
        FeedForward mlp) {
}
