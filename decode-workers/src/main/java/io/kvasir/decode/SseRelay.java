package io.kvasir.decode;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.runtime.DecodeLoop;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.engine.sampling.SampledToken;
import io.kvasir.engine.sampling.TokenLogprob;
import io.kvasir.kvstore.handoff.WorkerJson;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;

import io.kvasir.kvstore.handoff.Handoff;

import java.util.function.BiConsumer;

/**
 * One request's decode stream: events from the loop thread, written as server-sent events on the request's own
 * Vert.x context, so they keep their order and the loop never waits on a socket. Events are {@code {"token","text",
 * "logprob","top_logprobs"}}, then {@code {"finish_reason","usage"}} or {@code {"error"}}, then {@code [DONE]}. A
 * client that goes away cancels the sequence. Pending writes are bounded by the request's own max tokens.
 */
final class SseRelay implements DecodeLoop.Listener {

    private final HttpServerResponse response;
    private final Context context;
    private final DecodeLoop loop;
    private final BiConsumer<Handoff, Sequence> finished;
    private volatile Handoff handoff;
    private volatile Sequence sequence;
    private volatile boolean clientGone;

    /** Made on the request's event loop: {@code context} is where its writes go. */
    SseRelay(HttpServerResponse response, Context context, DecodeLoop loop, BiConsumer<Handoff, Sequence> finished) {
        this.response = response;
        this.context = context;
        this.loop = loop;
        this.finished = finished;
        response.closeHandler(v -> {
            clientGone = true;
            Sequence s = sequence;
            if (s != null) {
                loop.cancel(s);
            }
        });
    }

    /** The request's handoff, known before its sequence is admitted (the end may come before {@link #started}). */
    void handoff(Handoff h) {
        handoff = h;
    }

    /** The sequence is on the loop; if the client left meanwhile, it is cancelled now. */
    void started(Sequence s) {
        sequence = s;
        if (clientGone) {
            loop.cancel(s);
        }
    }

    @Override
    public void token(SampledToken token, String text) {
        ObjectNode e = WorkerJson.MAPPER.createObjectNode();
        e.put("token", token.id());
        e.put("text", text);
        if (!Float.isNaN(token.logprob())) {
            e.put("logprob", token.logprob());
            ArrayNode top = e.putArray("top_logprobs");
            for (TokenLogprob t : token.top()) {
                top.addObject().put("id", t.id()).put("logprob", t.logprob());
            }
        }
        send(event(e), false);
    }

    @Override
    public void end(Sequence s, String error) {
        ObjectNode e = WorkerJson.MAPPER.createObjectNode();
        if (error != null) {
            e.put("error", error);
        } else {
            e.put("finish_reason", s.finishReason().wireName());
            e.putObject("usage").put("prompt_tokens", s.promptLength()).put("completion_tokens", s.generated().length);
            finished.accept(handoff, s);
        }
        send(event(e) + "data: [DONE]\n\n", true);
    }

    private static String event(ObjectNode e) {
        try {
            return "data: " + WorkerJson.MAPPER.writeValueAsString(e) + "\n\n";
        } catch (JsonProcessingException x) {
            throw new IllegalStateException("an event could not be written as JSON", x);
        }
    }

    private void send(String text, boolean last) {
        context.runOnContext(v -> {
            if (clientGone || response.ended()) {
                return;
            }
            if (!response.headWritten()) {
                response.setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
            }
            if (last) {
                response.end(text);
            } else {
                response.write(text);
            }
        });
    }
}
