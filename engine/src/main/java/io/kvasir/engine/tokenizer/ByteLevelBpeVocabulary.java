package io.kvasir.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A byte-level BPE vocabulary in the shape GGUF stores it ({@code tokenizer.ggml.tokens},
 * {@code token_type}, {@code merges}): tokens in id order, llama.cpp token types, merges as
 * "left right" strings in rank order. Special-token ids are -1 when absent.
 */
public record ByteLevelBpeVocabulary(
        List<String> tokens,
        List<Integer> tokenTypes,
        List<String> merges,
        int bosId,
        int eosId,
        int padId) {

    /** llama.cpp's {@code llama_token_type} values. */
    public static final int TYPE_NORMAL = 1;
    public static final int TYPE_CONTROL = 3;
    public static final int TYPE_USER_DEFINED = 4;
    public static final int TYPE_UNUSED = 5;

    public ByteLevelBpeVocabulary {
        tokens = List.copyOf(tokens);
        tokenTypes = List.copyOf(tokenTypes);
        merges = List.copyOf(merges);
        if (tokens.size() != tokenTypes.size()) {
            throw new IllegalArgumentException(
                    tokens.size() + " tokens but " + tokenTypes.size() + " token types");
        }
    }

    /**
     * Reads {@code tokenizer.json} (and {@code tokenizer_config.json} for BOS/EOS/PAD, if present) of a
     * model directory. Ids missing from the file are filled with unused {@code [PAD<id>]} tokens, as
     * llama.cpp's converter does, so that list index equals id.
     */
    public static ByteLevelBpeVocabulary read(Path modelDir) {
        try {
            ObjectMapper json = new ObjectMapper();
            TokenizerJson tokenizer = TokenizerJson.read(modelDir.resolve("tokenizer.json"));
            String[] tokens = new String[tokenizer.vocabSize()];
            int[] types = new int[tokens.length];
            tokenizer.modelVocab().forEach((token, id) -> {
                tokens[id] = token;
                types[id] = TYPE_NORMAL;
            });
            for (TokenizerJson.AddedToken added : tokenizer.addedTokens()) {
                tokens[added.id()] = added.content();
                types[added.id()] = added.special() ? TYPE_CONTROL : TYPE_USER_DEFINED;
            }
            List<String> tokenList = new ArrayList<>(tokens.length);
            List<Integer> typeList = new ArrayList<>(tokens.length);
            for (int id = 0; id < tokens.length; id++) {
                tokenList.add(tokens[id] == null ? "[PAD" + id + "]" : tokens[id]);
                typeList.add(tokens[id] == null ? TYPE_UNUSED : types[id]);
            }
            Path configPath = modelDir.resolve("tokenizer_config.json");
            JsonNode config = Files.exists(configPath) ? json.readTree(configPath.toFile()) : json.createObjectNode();
            return new ByteLevelBpeVocabulary(tokenList, typeList, tokenizer.merges(),
                    specialId(tokenizer, config, "bos_token"),
                    specialId(tokenizer, config, "eos_token"),
                    specialId(tokenizer, config, "pad_token"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the tokenizer in " + modelDir, e);
        }
    }

    private static int specialId(TokenizerJson tokenizer, JsonNode config, String field) {
        String content = TokenizerConfig.tokenContent(config.get(field));
        return content == null ? -1 : tokenizer.idOf(content).orElse(-1);
    }
}
