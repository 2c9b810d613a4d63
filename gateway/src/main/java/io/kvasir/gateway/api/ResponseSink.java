package io.kvasir.gateway.api;

import io.vertx.core.http.HttpServerResponse;

/**
 * One HTTP response written from generation threads. Server-sent-event headers go out with the first event, so a
 * failure before any token can still be answered with a proper error status. Synchronized: the choices of one
 * request report from several threads.
 */
final class ResponseSink {

    private final HttpServerResponse response;
    private boolean closed;

    ResponseSink(HttpServerResponse response) {
        this.response = response;
    }

    synchronized void json(String body) {
        if (open()) {
            response.setStatusCode(200).putHeader("Content-Type", "application/json").end(body);
            closed = true;
        }
    }

    synchronized void event(String data) {
        if (!open()) {
            return;
        }
        if (!response.headWritten()) {
            response.setStatusCode(200).setChunked(true)
                    .putHeader("Content-Type", "text/event-stream")
                    .putHeader("Cache-Control", "no-cache");
        }
        response.write("data: " + data + "\n\n");
    }

    synchronized void endStream() {
        if (open()) {
            response.write("data: [DONE]\n\n");
            response.end();
            closed = true;
        }
    }

    /** An error status when nothing was sent yet; inside a started stream, an error event and the end of it. */
    synchronized void error(OpenAiException e) {
        if (!open()) {
            return;
        }
        if (response.headWritten()) {
            response.write("data: " + ErrorJson.body(e) + "\n\n");
            response.end();
        } else {
            ErrorJson.send(response, e);
        }
        closed = true;
    }

    synchronized void markClosed() {
        closed = true;
    }

    private boolean open() {
        return !closed && !response.closed() && !response.ended();
    }
}
