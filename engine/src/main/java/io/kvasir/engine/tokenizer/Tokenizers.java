package io.kvasir.engine.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Entry points that create a {@link Tokenizer}. */
public final class Tokenizers {

    private Tokenizers() {}

    /** Loads {@code tokenizer.json} from a Hugging Face model directory. */
    public static Tokenizer load(Path modelDir) {
        Path file = modelDir.resolve("tokenizer.json");
        try {
            return new DjlTokenizer(file, TokenizerJson.read(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * Builds a tokenizer from a GGUF file's {@code tokenizer.ggml.*} arrays. Only byte-level BPE
     * ({@code model == "gpt2"}) is supported; control-type tokens become special added tokens.
     *
     * @param pre {@code tokenizer.ggml.pre}, which selects the pre-tokenizer's split pattern
     */
    public static Tokenizer fromGgufVocabulary(String model, String pre, List<String> tokens,
                                               List<Integer> tokenTypes, List<String> merges) {
        if (!"gpt2".equals(model)) {
            throw new IllegalArgumentException("unsupported GGUF tokenizer model '" + model
                    + "': only byte-level BPE (gpt2) vocabularies are supported");
        }
        if (tokens.size() != tokenTypes.size()) {
            throw new IllegalArgumentException(tokens.size() + " tokens but " + tokenTypes.size() + " token types");
        }
        ObjectNode json = ByteLevelBpeJson.build(pre, tokens, tokenTypes, merges);
        return loadJson(json);
    }

    /** DJL loads from a path only: the generated file lives just long enough to be read. */
    static Tokenizer loadJson(ObjectNode json) {
        try {
            Path dir = Files.createTempDirectory("kvasir-tokenizer");
            Path file = dir.resolve("tokenizer.json");
            try {
                new ObjectMapper().writeValue(file.toFile(), json);
                return new DjlTokenizer(file, TokenizerJson.parse(json));
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a temporary tokenizer.json", e);
        }
    }
}
