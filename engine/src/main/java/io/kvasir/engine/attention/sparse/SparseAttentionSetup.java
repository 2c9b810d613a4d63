package io.kvasir.engine.attention.sparse;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvasir.engine.attention.AttentionPlanner;
import io.kvasir.engine.model.ModelConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Which sparse attention an engine runs: the config file it was given, else the model folder's
 * {@value SparseAttentionConfig#FILE_NAME}, else SeerAttention when the folder has fitted gates
 * ({@value SeerAttention#FOLDER}/, choosing key blocks by {@link SeerSelection#DEFAULT}), else S2 head
 * sharding when the model's config.json asks for it ({@code blocksparse_*} keys), else none (dense). Heads a file
 * leaves out get vertical-slash at its default budgets.
 */
public final class SparseAttentionSetup {

    private SparseAttentionSetup() {
    }

    /** The planner for a model at {@code modelPath}, or null for dense attention. */
    public static AttentionPlanner planner(Path modelPath, ModelConfig model, Path configFile) {
        Path file = configFile;
        if (file == null && modelPath != null && Files.isRegularFile(modelPath.resolve(SparseAttentionConfig.FILE_NAME))) {
            file = modelPath.resolve(SparseAttentionConfig.FILE_NAME);
        }
        try {
            if (file == null && modelPath != null && Files.isDirectory(modelPath.resolve(SeerAttention.FOLDER))) {
                return new SeerAttention(SeerAttention.read(modelPath.resolve(SeerAttention.FOLDER), model), model,
                        SeerSelection.DEFAULT);
            }
            if (file == null) {
                Path modelConfig = modelPath == null ? null : modelPath.resolve("config.json");
                return modelConfig != null && Files.isRegularFile(modelConfig)
                        ? S2Sharding.fromModelConfig(new ObjectMapper().readTree(modelConfig.toFile()))
                        : null;
            }
            SparseAttentionConfig config = SparseAttentionConfig.read(file, SparseMethods.defaults(SparseMethods.VERTICAL_SLASH));
            check(config, model, file);
            return new SparsePlanner(config, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void check(SparseAttentionConfig config, ModelConfig model, Path file) throws IOException {
        if (config.layers().size() > model.numLayers()) {
            throw new IOException(file + ": " + config.layers().size() + " layers, the model has " + model.numLayers());
        }
        for (Map<Integer, PatternSpec> layer : config.layers()) {
            for (int head : layer.keySet()) {
                if (head < 0 || head >= model.numHeads()) {
                    throw new IOException(file + ": head " + head + " outside the model's " + model.numHeads() + " heads");
                }
            }
        }
    }
}
