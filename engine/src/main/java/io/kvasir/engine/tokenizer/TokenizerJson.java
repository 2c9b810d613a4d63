package io.kvasir.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * What Kvasir needs to know about a {@code tokenizer.json} that DJL does not expose: the model
 * vocabulary, the added tokens and the merges. Encoding and decoding stay with DJL.
 */
record TokenizerJson(Map<String, Integer> modelVocab, List<AddedToken> addedTokens, List<String> merges) {

    record AddedToken(int id, String content, boolean special) {}

    static TokenizerJson read(Path file) throws IOException {
        return parse(new ObjectMapper().readTree(file.toFile()));
    }

    static TokenizerJson parse(JsonNode root) {
        JsonNode model = root.path("model");
        Map<String, Integer> vocab = new LinkedHashMap<>();
        model.path("vocab").properties().forEach(e -> vocab.put(e.getKey(), e.getValue().asInt()));
        List<AddedToken> added = new ArrayList<>();
        for (JsonNode token : root.path("added_tokens")) {
            added.add(new AddedToken(token.path("id").asInt(), token.path("content").asText(),
                    token.path("special").asBoolean(false)));
        }
        List<String> merges = new ArrayList<>();
        for (JsonNode merge : model.path("merges")) {
            // Newer files store a merge as ["left", "right"], older ones as "left right".
            merges.add(merge.isArray() ? merge.get(0).asText() + " " + merge.get(1).asText() : merge.asText());
        }
        return new TokenizerJson(vocab, added, merges);
    }

    int vocabSize() {
        int max = -1;
        for (int id : modelVocab.values()) {
            max = Math.max(max, id);
        }
        for (AddedToken token : addedTokens) {
            max = Math.max(max, token.id());
        }
        return max + 1;
    }

    OptionalInt idOf(String content) {
        for (AddedToken token : addedTokens) {
            if (token.content().equals(content)) {
                return OptionalInt.of(token.id());
            }
        }
        Integer id = modelVocab.get(content);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    Map<String, Integer> addedTokenIds() {
        Map<String, Integer> ids = new HashMap<>();
        addedTokens.forEach(token -> ids.put(token.content(), token.id()));
        return ids;
    }
}
