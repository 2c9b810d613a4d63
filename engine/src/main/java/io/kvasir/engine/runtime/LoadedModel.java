package io.kvasir.engine.runtime;

import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.ModelWeights;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.model.format.GgufModel;
import io.kvasir.engine.model.format.GgufVocabulary;
import io.kvasir.engine.model.format.SafetensorsCheckpoint;
import io.kvasir.engine.model.format.TensorSource;
import io.kvasir.engine.tokenizer.ChatTemplate;
import io.kvasir.engine.tokenizer.Tokenizer;
import io.kvasir.engine.tokenizer.Tokenizers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** A model ready to run: configuration, weights, tokenizer and chat template, from a HF folder or a GGUF file. */
public final class LoadedModel implements AutoCloseable {

    private final Path path;
    private final ModelConfig config;
    private final ModelWeights weights;
    private final Tokenizer tokenizer;
    private final ChatTemplate chatTemplate;

    private LoadedModel(Path path, ModelConfig config, ModelWeights weights, Tokenizer tokenizer, ChatTemplate chatTemplate) {
        this.path = path;
        this.config = config;
        this.weights = weights;
        this.tokenizer = tokenizer;
        this.chatTemplate = chatTemplate;
    }

    public static LoadedModel load(Path path, WeightOptions options) throws IOException {
        if (Files.isDirectory(path)) {
            Path configJson = path.resolve("config.json");
            if (!Files.isRegularFile(configJson)) {
                throw new IOException(path + ": not a model folder (no config.json)");
            }
            ModelConfig config = ModelConfig.read(configJson);
            TensorSource source = SafetensorsCheckpoint.open(path);
            ModelWeights weights = loadWeights(config, source, options);
            Tokenizer tokenizer = Tokenizers.load(path);
            return new LoadedModel(path, config, weights, tokenizer, ChatTemplate.load(path, tokenizer));
        }
        if (Files.isRegularFile(path)) {
            GgufModel gguf = GgufModel.open(path);
            ModelWeights weights = loadWeights(gguf.config(), gguf, options);
            GgufVocabulary v = gguf.vocabulary();
            Tokenizer tokenizer = Tokenizers.fromGgufVocabulary(v.model(), v.pre(), v.tokens(),
                    Arrays.stream(v.tokenTypes()).boxed().toList(), v.merges());
            String template = gguf.file().metadata().get("tokenizer.chat_template") instanceof String t ? t : null;
            return new LoadedModel(path, gguf.config(), weights, tokenizer,
                    ChatTemplate.of(template, tokenText(v, v.bosTokenId()), tokenText(v, v.eosTokenId()), tokenizer));
        }
        throw new IOException(path + ": no such model folder or GGUF file");
    }

    private static String tokenText(GgufVocabulary v, int id) {
        return id >= 0 && id < v.tokens().size() ? v.tokens().get(id) : "";
    }

    private static ModelWeights loadWeights(ModelConfig config, TensorSource source, WeightOptions options) throws IOException {
        try {
            return ModelWeights.load(config, source, options);
        } catch (IOException | RuntimeException e) {
            source.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public ModelConfig config() {
        return config;
    }

    public ModelWeights weights() {
        return weights;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public ChatTemplate chatTemplate() {
        return chatTemplate;
    }

    @Override
    public void close() throws Exception {
        weights.close();
    }
}
