package io.kvasir.gateway.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.sampling.SampledToken;
import io.kvasir.engine.sampling.TokenLogprob;
import io.kvasir.gateway.model.ServedModel;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builds response bodies and stream chunks in exactly OpenAI's shapes. */
final class ResponseJson {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private final ServedModel model;
    private final ParsedRequest request;
    private final String id;
    private final long created;

    ResponseJson(ServedModel model, ParsedRequest request, String id, long created) {
        this.model = model;
        this.request = request;
        this.id = id;
        this.created = created;
    }

    private boolean chat() {
        return request.endpoint() == ParsedRequest.Endpoint.CHAT;
    }

    private ObjectNode envelope(boolean chunk) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("id", id);
        o.put("object", chat() ? (chunk ? "chat.completion.chunk" : "chat.completion") : "text_completion");
        o.put("created", created);
        o.put("model", request.model());
        o.putNull("system_fingerprint");
        return o;
    }

    /** The whole non-streamed response. */
    String complete(List<Choice> choices, List<String> echoes, ObjectNode usage) {
        ObjectNode o = envelope(false);
        ArrayNode array = o.putArray("choices");
        for (Choice c : choices) {
            ObjectNode choice = array.addObject();
            choice.put("index", c.index);
            if (chat()) {
                ObjectNode message = choice.putObject("message");
                message.put("role", "assistant");
                message.put("content", c.text.toString());
                message.putNull("refusal");
                if (request.logprobs() >= 0) {
                    ArrayNode content = choice.putObject("logprobs").putArray("content");
                    c.tokens.forEach(t -> content.add(chatLogprob(t)));
                } else {
                    choice.putNull("logprobs");
                }
            } else {
                String echo = request.echo() ? echoes.get(c.promptIndex) : "";
                choice.put("text", echo + c.text);
                if (request.logprobs() >= 0) {
                    choice.set("logprobs", completionLogprobs(c.tokens, c.offsets, echo.length()));
                } else {
                    choice.putNull("logprobs");
                }
            }
            choice.put("finish_reason", c.finishReason.wireName());
        }
        o.set("usage", usage);
        return o.toString();
    }

    /** A chat chunk that opens a choice: the assistant role and empty content, as OpenAI's first chunk. */
    String roleChunk(Choice c, boolean withUsageField) {
        ObjectNode o = envelope(true);
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", c.index);
        ObjectNode delta = choice.putObject("delta");
        delta.put("role", "assistant");
        delta.put("content", "");
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        if (withUsageField) {
            o.putNull("usage");
        }
        return o.toString();
    }

    /** A chunk carrying new text (and this token's logprobs when asked for). */
    String textChunk(Choice c, String text, SampledToken token, int textOffset, boolean withUsageField) {
        ObjectNode o = envelope(true);
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", c.index);
        if (chat()) {
            choice.putObject("delta").put("content", text);
            if (request.logprobs() >= 0) {
                choice.putObject("logprobs").putArray("content").add(chatLogprob(token));
            } else {
                choice.putNull("logprobs");
            }
        } else {
            choice.put("text", text);
            if (request.logprobs() >= 0) {
                choice.set("logprobs", completionLogprobs(List.of(token), List.of(textOffset), 0));
            } else {
                choice.putNull("logprobs");
            }
        }
        choice.putNull("finish_reason");
        if (withUsageField) {
            o.putNull("usage");
        }
        return o.toString();
    }

    /** The chunk that closes a choice with its finish reason. */
    String finishChunk(Choice c, boolean withUsageField) {
        ObjectNode o = envelope(true);
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", c.index);
        if (chat()) {
            choice.putObject("delta");
        } else {
            choice.put("text", "");
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", c.finishReason.wireName());
        if (withUsageField) {
            o.putNull("usage");
        }
        return o.toString();
    }

    /** The last chunk of a stream with {@code include_usage}: no choices, the whole request's usage. */
    String usageChunk(ObjectNode usage) {
        ObjectNode o = envelope(true);
        o.putArray("choices");
        o.set("usage", usage);
        return o.toString();
    }

    static ObjectNode usage(int promptTokens, int completionTokens, int cachedTokens) {
        ObjectNode u = MAPPER.createObjectNode();
        u.put("prompt_tokens", promptTokens);
        u.put("completion_tokens", completionTokens);
        u.put("total_tokens", promptTokens + completionTokens);
        u.putObject("prompt_tokens_details").put("cached_tokens", cachedTokens);
        return u;
    }

    private ObjectNode chatLogprob(SampledToken t) {
        ObjectNode entry = tokenEntry(t.id(), t.logprob());
        ArrayNode top = entry.putArray("top_logprobs");
        for (TokenLogprob alt : t.top()) {
            top.add(tokenEntry(alt.id(), alt.logprob()));
        }
        return entry;
    }

    private ObjectNode tokenEntry(int tokenId, float logprob) {
        String text = model.tokenText(tokenId);
        ObjectNode e = MAPPER.createObjectNode();
        e.put("token", text);
        e.put("logprob", logprob);
        ArrayNode bytes = e.putArray("bytes");
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            bytes.add(b & 0xff);
        }
        return e;
    }

    private ObjectNode completionLogprobs(List<SampledToken> tokens, List<Integer> offsets, int offsetShift) {
        ObjectNode lp = MAPPER.createObjectNode();
        ArrayNode names = lp.putArray("tokens");
        ArrayNode values = lp.putArray("token_logprobs");
        ArrayNode tops = lp.putArray("top_logprobs");
        ArrayNode textOffsets = lp.putArray("text_offset");
        for (int i = 0; i < tokens.size(); i++) {
            SampledToken t = tokens.get(i);
            names.add(model.tokenText(t.id()));
            values.add(t.logprob());
            ObjectNode top = tops.addObject();
            for (TokenLogprob alt : t.top()) {
                top.put(model.tokenText(alt.id()), alt.logprob());
            }
            textOffsets.add(offsets.get(i) + offsetShift);
        }
        return lp;
    }
}
