package io.kvasir.kvstore.handoff;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** The few HTTP chores every worker endpoint shares: bounded JSON bodies, JSON replies, errors with a message. */
public final class WorkerHttp {

    /** Largest request body accepted: a 1M-token prompt as JSON ids fits. */
    public static final int MAX_BODY = 16 << 20;

    private WorkerHttp() {
    }

    /** The request's JSON body; too large or not JSON is an {@link IllegalArgumentException} (a 400). */
    public static JsonNode body(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new IllegalArgumentException("request body exceeds " + MAX_BODY + " bytes");
            }
            JsonNode node;
            try {
                node = WorkerJson.MAPPER.readTree(bytes);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("request body is not JSON: " + e.getOriginalMessage());
            }
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("request body must be a JSON object");
            }
            return node;
        }
    }

    public static void json(HttpExchange ex, int status, JsonNode body) throws IOException {
        send(ex, status, "application/json", WorkerJson.MAPPER.writeValueAsBytes(body));
    }

    /** An error in OpenAI's shape: {@code {"error":{"message","type","code"}}}. */
    public static void error(HttpExchange ex, int status, String message) throws IOException {
        ObjectNode root = WorkerJson.MAPPER.createObjectNode();
        ObjectNode e = root.putObject("error");
        e.put("message", message);
        e.put("type", status == 429 ? "overloaded" : status < 500 ? "invalid_request_error" : "server_error");
        e.put("code", status);
        if (status == 429) {
            ex.getResponseHeaders().set("Retry-After", "1");
        }
        json(ex, status, root);
    }

    public static void text(HttpExchange ex, int status, String body) throws IOException {
        send(ex, status, "text/plain; version=0.0.4", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] bytes) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
