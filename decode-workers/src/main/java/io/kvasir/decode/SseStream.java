package io.kvasir.decode;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.runtime.DecodeLoop;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.engine.sampling.SampledToken;
import io.kvasir.engine.sampling.TokenLogprob;
import io.kvasir.kvstore.handoff.WorkerJson;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * One request's events, from the loop thread to the HTTP thread. Bounded by the request's own maximum (every token
 * plus the end), so the loop's offer never blocks and never fails.
 */
final class SseStream implements DecodeLoop.Listener {

    private final BlockingQueue<ObjectNode> events;

    SseStream(int capacity) {
        this.events = new ArrayBlockingQueue<>(capacity);
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
        events.offer(e);
    }

    @Override
    public void end(Sequence sequence, String error) {
        ObjectNode e = WorkerJson.MAPPER.createObjectNode();
        if (error != null) {
            e.put("error", error);
        } else {
            e.put("finish_reason", sequence.finishReason().wireName());
            e.putObject("usage").put("prompt_tokens", sequence.promptLength())
                    .put("completion_tokens", sequence.generated().length);
        }
        events.offer(e);
    }

    ObjectNode next() throws InterruptedException {
        return events.take();
    }
}
