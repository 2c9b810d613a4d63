package io.kvasir.worker;

import io.kvasir.kvstore.handoff.WorkerJson;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/** The worker's JSON answers: a body with 200, or an error in OpenAI's shape with its status. */
public final class Replies {

    private Replies() {
    }

    public static void json(HttpServerResponse response, Object body) {
        try {
            response.putHeader("Content-Type", "application/json").end(WorkerJson.MAPPER.writeValueAsString(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            error(response, 500, "the answer could not be written as JSON: " + e.getOriginalMessage());
        }
    }

    public static void error(HttpServerResponse response, int status, String message) {
        if (status == 429) {
            response.putHeader("Retry-After", "1");
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(WorkerJson.error(status, message).toString());
    }

    /** The body handler's failures: too large (413) or not readable (400), never Vert.x's plain-text page. */
    public static void bodyFailure(RoutingContext ctx) {
        if (ctx.response().headWritten()) {
            return;
        }
        if (ctx.statusCode() == 413) {
            error(ctx.response(), 413, "request body exceeds " + WorkerJson.MAX_BODY + " bytes");
        } else {
            error(ctx.response(), 400, "request body could not be read"
                    + (ctx.failure() != null ? ": " + ctx.failure().getMessage() : ""));
        }
    }
}
