package io.kvasir.engine.runtime;

import io.kvasir.engine.kv.KvPrecision;
import io.kvasir.engine.model.WeightOptions;

import java.nio.file.Path;

/**
 * @param prefillChunk   prompt tokens per forward pass during prefill
 * @param kvCacheBytes   memory for the paged KV cache
 * @param kvPrecision    KV element type
 * @param weights        load-time weight preparation
 * @param sparseConfig   per-head sparse attention patterns (MInference JSON); null: the model folder's
 *                       {@code sparse_attention_config.json} when present, else dense attention
 */
public record EngineOptions(int prefillChunk, long kvCacheBytes, KvPrecision kvPrecision, WeightOptions weights,
                            Path sparseConfig) {

    public static final EngineOptions DEFAULTS = new EngineOptions(512, 1L << 30, KvPrecision.F32, WeightOptions.AS_STORED);

    public EngineOptions(int prefillChunk, long kvCacheBytes, KvPrecision kvPrecision, WeightOptions weights) {
        this(prefillChunk, kvCacheBytes, kvPrecision, weights, null);
    }

    public EngineOptions {
        if (prefillChunk <= 0) {
            throw new IllegalArgumentException("prefill chunk must be positive, got " + prefillChunk);
        }
    }

    public EngineOptions withPrefillChunk(int tokens) {
        return new EngineOptions(tokens, kvCacheBytes, kvPrecision, weights, sparseConfig);
    }

    public EngineOptions withKvPrecision(KvPrecision precision) {
        return new EngineOptions(prefillChunk, kvCacheBytes, precision, weights, sparseConfig);
    }

    public EngineOptions withSparseConfig(Path file) {
        return new EngineOptions(prefillChunk, kvCacheBytes, kvPrecision, weights, file);
    }
}
