package io.kvasir.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The parts of {@code tokenizer_config.json} the engine uses; an absent file reads as empty. */
record TokenizerConfig(Optional<String> chatTemplate, String bosToken, String eosToken) {

    static TokenizerConfig read(Path modelDir) {
        Path file = modelDir.resolve("tokenizer_config.json");
        if (!Files.exists(file)) {
            return new TokenizerConfig(Optional.empty(), null, null);
        }
        try {
            JsonNode root = new ObjectMapper().readTree(file.toFile());
            return new TokenizerConfig(chatTemplate(root.get("chat_template")),
                    tokenContent(root.get("bos_token")), tokenContent(root.get("eos_token")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * {@code chat_template} is either one template or a list of {name, template}; the list's
     * "default" entry is the chat template (others, like "tool_use", serve other endpoints).
     */
    static Optional<String> chatTemplate(JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (node.isTextual()) {
            return Optional.of(node.asText());
        }
        JsonNode first = null;
        for (JsonNode entry : node) {
            if ("default".equals(entry.path("name").asText())) {
                return Optional.of(entry.path("template").asText());
            }
            first = first == null ? entry : first;
        }
        return first == null ? Optional.empty() : Optional.of(first.path("template").asText());
    }

    /** A special token is written either as its text or as an AddedToken object with "content". */
    static String tokenContent(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        return node.isTextual() ? node.asText() : node.path("content").asText(null);
    }
}
