package io.kvasir.e2e;

import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.RandomWeights;
import io.kvasir.engine.model.RopeScaling;
import io.kvasir.engine.model.format.SafetensorsWriter;
import io.kvasir.engine.tensor.DType;
import io.kvasir.engine.tokenizer.ByteLevelBpeVocabulary;
import io.kvasir.engine.tokenizer.TokenizerGenerator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A tiny random Qwen2 model (2 layers, hidden 64, vocabulary 400, context 512) that the processes under test serve. */
final class TinyModel {

    private TinyModel() {}

    static Path write(Path dir) throws IOException {
        TokenizerGenerator.write(dir, 400);
        List<String> tokens = ByteLevelBpeVocabulary.read(dir).tokens();
        ModelConfig config = new ModelConfig(ModelConfig.QWEN2, 64, 128, 2, 4, 2, 16, tokens.size(), 1e-6, 10_000,
                RopeScaling.NONE, 512, true, true, 0, 2, tokens.indexOf("<|endoftext|>"),
                List.of(tokens.indexOf("<|im_end|>"), tokens.indexOf("<|endoftext|>")));
        Files.writeString(dir.resolve("config.json"), config.toJson());
        SafetensorsWriter.write(dir.resolve("model.safetensors"), RandomWeights.generate(config, 11, 0.5), DType.F32, Map.of());
        return dir;
    }

    /** Removes a model folder written by {@link #write}. */
    static void delete(Path dir) throws IOException {
        if (dir == null) {
            return;
        }
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
