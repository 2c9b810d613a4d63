package io.kvasir.gateway.model;

import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.runtime.LoadedModel;
import io.kvasir.engine.tokenizer.ChatTemplate;
import io.kvasir.engine.tokenizer.Tokenizer;
import io.kvasir.engine.tokenizer.Tokenizers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the gateway needs of the model it serves: its public name, tokenizer, chat template, context length and
 * vocabulary size. The weights stay on the workers (or in the in-process engine).
 */
public record ServedModel(String id, Tokenizer tokenizer, ChatTemplate chatTemplate, int contextLength, int vocabSize) {

    /** Reads a Hugging Face model folder's config, tokenizer and chat template, without its weights. */
    public static ServedModel read(String id, Path dir) throws IOException {
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            throw new IOException(dir + ": not a model folder (no config.json)");
        }
        ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
        Tokenizer tokenizer = Tokenizers.load(dir);
        return new ServedModel(id, tokenizer, ChatTemplate.load(dir, tokenizer), config.maxPositionEmbeddings(),
                config.vocabSize());
    }

    public static ServedModel of(String id, LoadedModel model) {
        return new ServedModel(id, model.tokenizer(), model.chatTemplate(), model.config().maxPositionEmbeddings(),
                model.config().vocabSize());
    }

    /** The text of one token as OpenAI's logprobs show it, special tokens included. */
    public String tokenText(int id) {
        return tokenizer.decode(new int[]{id}, false);
    }
}
