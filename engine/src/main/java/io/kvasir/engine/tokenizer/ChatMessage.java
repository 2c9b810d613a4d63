package io.kvasir.engine.tokenizer;

import java.util.Objects;

/** One turn of a conversation: role ("system", "user", "assistant", "tool") and text. */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }
}
