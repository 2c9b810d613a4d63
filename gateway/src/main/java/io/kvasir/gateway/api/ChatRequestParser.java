package io.kvasir.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.sampling.SamplingParams;
import io.kvasir.engine.tokenizer.ChatMessage;
import io.kvasir.engine.tokenizer.ChatTemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Validates a {@code /v1/chat/completions} body and renders its conversation with the model's chat template. */
final class ChatRequestParser {

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    private ChatRequestParser() {}

    static ParsedRequest parse(ObjectNode body, ChatTemplate template) {
        JsonFields f = new JsonFields(body);
        String model = f.requiredString("model");
        List<ChatMessage> messages = messages(f.get("messages"));
        boolean logprobs = f.bool("logprobs", false);
        Integer top = f.integer("top_logprobs", 0, SamplingParams.MAX_LOGPROBS);
        if (top != null && !logprobs) {
            throw OpenAiException.invalid("top_logprobs", "'top_logprobs' requires 'logprobs' to be true");
        }
        int logprobCount = logprobs ? (top == null ? 0 : top) : -1;
        boolean stream = f.bool("stream", false);
        SamplingParams params = SamplingFields.read(f, logprobCount);
        String rendered;
        try {
            rendered = template.render(messages, true);
        } catch (IllegalArgumentException e) {
            throw OpenAiException.invalid("messages", "the model's chat template rejects these messages: " + e.getMessage());
        }
        f.optionalString("user");
        return new ParsedRequest(ParsedRequest.Endpoint.CHAT, model,
                List.of(new ParsedRequest.Prompt(rendered, null, true)), params, SamplingFields.maxTokens(f),
                SamplingFields.n(f), stream, SamplingFields.includeUsage(f, stream), logprobCount, false);
    }

    private static List<ChatMessage> messages(JsonNode v) {
        if (v == null) {
            throw OpenAiException.invalid("messages", "'messages' is required");
        }
        if (!v.isArray()) {
            throw OpenAiException.invalid("messages", "'messages' must be an array");
        }
        if (v.isEmpty()) {
            throw OpenAiException.invalid("messages", "'messages' must not be empty");
        }
        List<ChatMessage> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            out.add(message(v.get(i), "messages[" + i + "]"));
        }
        return out;
    }

    private static ChatMessage message(JsonNode m, String at) {
        if (!m.isObject()) {
            throw OpenAiException.invalid(at, at + " must be an object");
        }
        JsonNode role = m.get("role");
        if (role == null || !role.isTextual()) {
            throw OpenAiException.invalid(at + ".role", at + ".role is required and must be a string");
        }
        if (!ROLES.contains(role.textValue())) {
            throw OpenAiException.invalid(at + ".role", "unknown role '" + role.textValue() + "' (expected one of "
                    + String.join(", ", ROLES.stream().sorted().toList()) + ")");
        }
        // Templates written for system/user/assistant know nothing of OpenAI's newer "developer" role.
        String r = role.textValue().equals("developer") ? "system" : role.textValue();
        return new ChatMessage(r, content(m.get("content"), r, at + ".content"));
    }

    private static String content(JsonNode c, String role, String at) {
        if (c == null || c.isNull()) {
            // An assistant turn that only called tools has no content.
            if (role.equals("assistant")) {
                return "";
            }
            throw OpenAiException.invalid(at, at + " is required");
        }
        if (c.isTextual()) {
            return c.textValue();
        }
        if (!c.isArray()) {
            throw OpenAiException.invalid(at, at + " must be a string or an array of content parts");
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < c.size(); i++) {
            JsonNode part = c.get(i);
            String p = at + "[" + i + "]";
            if (!part.isObject() || !part.path("type").isTextual()) {
                throw OpenAiException.invalid(p, p + " must be an object with a 'type'");
            }
            if (!part.get("type").textValue().equals("text")) {
                throw OpenAiException.invalid(p + ".type", "content part type '" + part.get("type").textValue()
                        + "' is not supported: this model reads text only");
            }
            if (!part.path("text").isTextual()) {
                throw OpenAiException.invalid(p + ".text", p + ".text must be a string");
            }
            text.append(part.get("text").textValue());
        }
        return text.toString();
    }
}
