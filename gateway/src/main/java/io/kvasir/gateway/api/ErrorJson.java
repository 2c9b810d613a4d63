package io.kvasir.gateway.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpServerResponse;

/** Writes an {@link OpenAiException} as OpenAI's error body with its status and {@code Retry-After}. */
final class ErrorJson {

    private ErrorJson() {}

    static String body(OpenAiException e) {
        ObjectNode root = ResponseJson.MAPPER.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", e.getMessage());
        error.put("type", e.type());
        error.put("param", e.param());
        error.put("code", e.code());
        return root.toString();
    }

    static void send(HttpServerResponse response, OpenAiException e) {
        if (response.ended() || response.headWritten()) {
            return;
        }
        response.setStatusCode(e.status()).putHeader("Content-Type", "application/json");
        if (e.retryAfterSeconds() > 0) {
            response.putHeader("Retry-After", Integer.toString(e.retryAfterSeconds()));
        }
        response.end(body(e));
    }
}
