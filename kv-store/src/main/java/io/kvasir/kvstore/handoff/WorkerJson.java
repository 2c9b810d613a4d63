package io.kvasir.kvstore.handoff;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.sampling.SamplingParams;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** JSON of the internal worker API: sampling parameters in vLLM's names, token id arrays, handoffs. */
public final class WorkerJson {

    public static final ObjectMapper MAPPER = new ObjectMapper();
    /** Largest request body accepted: a 1M-token prompt as JSON ids fits. */
    public static final int MAX_BODY = 16 << 20;

    private WorkerJson() {
    }

    /** A request body as a JSON object; anything else is an {@link IllegalArgumentException} (a 400). */
    public static JsonNode object(byte[] body) {
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("request body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("request body is unreadable: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("request body must be a JSON object");
        }
        return node;
    }

    /** An error in OpenAI's shape: {@code {"error":{"message","type","code"}}}. */
    public static ObjectNode error(int status, String message) {
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode e = root.putObject("error");
        e.put("message", message);
        e.put("type", status == 429 ? "overloaded" : status < 500 ? "invalid_request_error" : "server_error");
        e.put("code", status);
        return root;
    }

    /** Sampling parameters from a request body; a wrongly typed field is an {@link IllegalArgumentException}. */
    public static SamplingParams sampling(JsonNode body) {
        SamplingParams.Builder b = SamplingParams.builder();
        if (body.has("temperature")) b.temperature(number(body, "temperature"));
        if (body.has("top_k")) b.topK(integer(body, "top_k"));
        if (body.has("top_p")) b.topP(number(body, "top_p"));
        if (body.has("min_p")) b.minP(number(body, "min_p"));
        if (body.has("presence_penalty")) b.presencePenalty(number(body, "presence_penalty"));
        if (body.has("frequency_penalty")) b.frequencyPenalty(number(body, "frequency_penalty"));
        if (body.has("repetition_penalty")) b.repetitionPenalty(number(body, "repetition_penalty"));
        if (body.has("seed") && !body.get("seed").isNull()) b.seed((long) integer(body, "seed"));
        if (body.has("max_tokens")) b.maxTokens(integer(body, "max_tokens"));
        if (body.has("logprobs")) b.logprobs(integer(body, "logprobs"));
        if (body.has("ignore_eos")) b.ignoreEos(body.get("ignore_eos").asBoolean());
        if (body.has("stop")) {
            List<String> stop = new ArrayList<>();
            for (JsonNode s : array(body, "stop")) {
                stop.add(s.asText());
            }
            b.stop(stop);
        }
        if (body.has("stop_token_ids")) {
            Set<Integer> ids = new HashSet<>();
            for (int id : tokenIds(body, "stop_token_ids")) {
                ids.add(id);
            }
            b.stopTokenIds(ids);
        }
        return b.build();
    }

    public static int[] tokenIds(JsonNode body, String field) {
        JsonNode a = array(body, field);
        int[] ids = new int[a.size()];
        for (int i = 0; i < ids.length; i++) {
            if (!a.get(i).canConvertToInt() || !a.get(i).isIntegralNumber()) {
                throw new IllegalArgumentException(field + "[" + i + "] is not an integer token id");
            }
            ids[i] = a.get(i).asInt();
        }
        return ids;
    }

    public static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || !n.isTextual() || n.asText().isEmpty()) {
            throw new IllegalArgumentException("'" + field + "' must be a non-empty string");
        }
        return n.asText();
    }

    private static JsonNode array(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || !n.isArray()) {
            throw new IllegalArgumentException("'" + field + "' must be an array");
        }
        return n;
    }

    private static double number(JsonNode body, String field) {
        if (!body.get(field).isNumber()) {
            throw new IllegalArgumentException("'" + field + "' must be a number");
        }
        return body.get(field).asDouble();
    }

    private static int integer(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new IllegalArgumentException("'" + field + "' must be an integer");
        }
        return n.asInt();
    }
}
