package io.kvasir.engine.cli;

import io.kvasir.engine.kv.KvPrecision;
import io.kvasir.engine.model.WeightOptions;
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

    @Option(names = "--sparse-config", description = "sparse attention patterns (MInference JSON, e.g. from sparse-search); "
            + "default: the model folder's sparse_attention_config.json if any, else dense")
    Path sparseConfig;

    WeightOptions weightOptions() {
        return new WeightOptions(quantize);
    }
}
