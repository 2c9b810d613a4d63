package io.kvasir.gateway.workers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.sampling.FinishReason;
import io.kvasir.engine.sampling.SampledToken;
import io.kvasir.engine.sampling.SamplingParams;
import io.kvasir.engine.sampling.TokenLogprob;

import java.util.ArrayList;
import java.util.List;

/**
 * The JSON the gateway exchanges with the workers' internal API (issue 4, the kv-store module's {@code WorkerJson}
 * and {@code Handoff}): sampling parameters at the top level in vLLM's names, the handoff passed through untouched,
 * and the decode stream's events. Kept in this one class so that following a change of the workers' wire format
 * touches nothing else.
 */
final class WorkerWire {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String PREFILL_PATH = "/internal/v1/prefill";
    static final String DECODE_PATH = "/internal/v1/decode";

    private WorkerWire() {}

    /**
     * {@code POST /internal/v1/prefill}: request id, token ids and sampling parameters. No {@code model}: workers
     * check it against their model fingerprint, which is theirs to compute, not the public name.
     */
    static String prefillRequest(String requestId, int[] tokens, SamplingParams params) {
        ObjectNode o = sampling(params);
        o.put("request_id", requestId);
        ArrayNode ids = o.putArray("token_ids");
        for (int t : tokens) {
            ids.add(t);
        }
        return o.toString();
    }

    /** {@code POST /internal/v1/decode}: the handoff as prefill returned it, with the sampling parameters. */
    static String decodeRequest(JsonNode handoff, SamplingParams params) {
        ObjectNode o = sampling(params);
        o.set("handoff", handoff);
        return o.toString();
    }

    /** The prompt tokens whose KV the prefill worker found in the store rather than computed. */
    static int cachedTokens(JsonNode handoff) {
        return handoff.path("cachedTokens").asInt(0);
    }

    /** The handoff's first token with the text it releases, or null when the prefill worker sent no text for it. */
    static TokenEvent firstToken(JsonNode handoff) {
        JsonNode first = handoff.path("firstToken");
        JsonNode text = handoff.path("firstText");
        if (!first.hasNonNull("id") || !text.isTextual()) {
            return null;
        }
        List<TokenLogprob> top = new ArrayList<>();
        for (JsonNode alt : first.path("top")) {
            top.add(new TokenLogprob(alt.path("id").asInt(), (float) alt.path("logprob").asDouble()));
        }
        float logprob = first.path("logprob").isNumber() ? (float) first.get("logprob").asDouble() : Float.NaN;
        return new TokenEvent(new SampledToken(first.get("id").asInt(), logprob, top), text.asText(), null, null);
    }

    private static ObjectNode sampling(SamplingParams p) {
        ObjectNode s = MAPPER.createObjectNode();
        s.put("temperature", p.temperature());
        s.put("top_k", p.topK());
        s.put("top_p", p.topP());
        s.put("min_p", p.minP());
        s.put("presence_penalty", p.presencePenalty());
        s.put("frequency_penalty", p.frequencyPenalty());
        s.put("repetition_penalty", p.repetitionPenalty());
        if (p.seed() != null) {
            s.put("seed", p.seed());
        }
        ArrayNode stop = s.putArray("stop");
        p.stop().forEach(stop::add);
        ArrayNode stopIds = s.putArray("stop_token_ids");
        p.stopTokenIds().forEach(stopIds::add);
        s.put("max_tokens", p.maxTokens());
        s.put("logprobs", p.logprobs());
        s.put("ignore_eos", p.ignoreEos());
        return s;
    }

    /**
     * One decode stream event: a token {@code {"token", "text", "logprob"?, "top_logprobs"?:[{"id","logprob"}]}},
     * the end {@code {"finish_reason": "stop" | "length", "usage"}}, or a failure {@code {"error"}}.
     */
    record TokenEvent(SampledToken token, String text, FinishReason finishReason, String error) {}

    static TokenEvent tokenEvent(String json) throws java.io.IOException {
        JsonNode e = MAPPER.readTree(json);
        SampledToken token = null;
        if (e.hasNonNull("token")) {
            List<TokenLogprob> top = new ArrayList<>();
            for (JsonNode alt : e.path("top_logprobs")) {
                top.add(new TokenLogprob(alt.path("id").asInt(), (float) alt.path("logprob").asDouble()));
            }
            float logprob = e.hasNonNull("logprob") ? (float) e.get("logprob").asDouble() : Float.NaN;
            token = new SampledToken(e.get("token").asInt(), logprob, top);
        }
        String reason = e.path("finish_reason").asText(null);
        FinishReason finish = reason == null ? null : reason.equals("length") ? FinishReason.LENGTH : FinishReason.STOP;
        return new TokenEvent(token, e.path("text").asText(""), finish, e.path("error").asText(null));
    }
}
