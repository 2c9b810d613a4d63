package io.kvasir.engine.cli;

import io.kvasir.engine.kv.KvPrecision;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.moe.EvictionPolicy;
import io.kvasir.engine.moe.ExpertCacheOptions;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Options shared by the commands that load a model. */
final class ModelOptions {

    @Option(names = "--model", required = true, description = "model folder (config.json, *.safetensors, tokenizer.json) or GGUF file")
    Path path;

    @Option(names = "--quantize", description = "quantize matrices to q8_0 at load time")
    boolean quantize;

    @Option(names = "--kv-precision", defaultValue = "F32", description = "F32 | BF16 (default ${DEFAULT-VALUE})")
    KvPrecision kvPrecision;

    @Option(names = "--expert-cache", description = "MoE models: most experts resident per layer (default: all)")
    Integer expertCache;

    @Option(names = "--expert-policy", defaultValue = "lru",
            description = "MoE models: lru | belady (belady needs the Read-ME router's lookahead; default ${DEFAULT-VALUE})")
    String expertPolicy;

    @Option(names = "--expert-prefetch", description = "MoE models: convert the next layer's experts in the background")
    boolean expertPrefetch;

    @Option(names = "--sparse-config", description = "sparse attention patterns (MInference JSON, e.g. from sparse-search); "
            + "default: the model folder's sparse_attention_config.json if any, else dense")
    Path sparseConfig;

    WeightOptions weightOptions() {
        return new WeightOptions(quantize, new ExpertCacheOptions(expertCache == null ? Integer.MAX_VALUE : expertCache,
                EvictionPolicy.parse(expertPolicy), expertPrefetch));
    }
}
