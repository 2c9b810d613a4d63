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
 * The JSON the gateway exchanges with the workers' internal API (issue 4): the prefill request, the handoff it
 * returns, the decode request, and the decode stream's token events. Kept in this one class so that following a
 * change of the workers' wire format touches nothing else.
 */
final class WorkerWire {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String PREFILL_PATH = "/internal/v1/prefill";
    static final String DECODE_PATH = "/internal/v1/decode";

    private WorkerWire() {}

    /** {@code POST /internal/v1/prefill}: request id, model, token ids and sampling parameters. */
    static String prefillRequest(String requestId, String model, int[] tokens, SamplingParams params) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("request_id", requestId);
        o.put("model", model);
        ArrayNode ids = o.putArray("token_ids");
        for (int t : tokens) {
            ids.add(t);
        }
        o.set("sampling", sampling(params));
        return o.toString();
    }

    /** {@code POST /internal/v1/decode}: the handoff as prefill returned it, with sampling, max tokens and stops. */
    static String decodeRequest(JsonNode handoff, SamplingParams params) {
        ObjectNode o = MAPPER.createObjectNode();
        o.set("handoff", handoff);
        o.set("sampling", sampling(params));
        o.put("max_tokens", params.maxTokens());
        ArrayNode stop = o.putArray("stop");
        params.stop().forEach(stop::add);
        return o.toString();
    }

    /** The prompt tokens whose KV the prefill worker found in the store rather than computed. */
    static int cachedTokens(JsonNode handoff) {
        return handoff.path("cached_tokens").asInt(0);
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
     * One decode stream event: {@code {"token_id", "text", "logprob", "top_logprobs":[{"id","logprob"}],
     * "finish_reason": null | "stop" | "length"}}; {@code token_id} is absent on an event that only finishes.
     */
    record TokenEvent(SampledToken token, String text, FinishReason finishReason) {}

    static TokenEvent tokenEvent(String json) throws java.io.IOException {
        JsonNode e = MAPPER.readTree(json);
        SampledToken token = null;
        if (e.hasNonNull("token_id")) {
            List<TokenLogprob> top = new ArrayList<>();
            for (JsonNode alt : e.path("top_logprobs")) {
                top.add(new TokenLogprob(alt.path("id").asInt(), (float) alt.path("logprob").asDouble()));
            }
            float logprob = e.hasNonNull("logprob") ? (float) e.get("logprob").asDouble() : Float.NaN;
            token = new SampledToken(e.get("token_id").asInt(), logprob, top);
        }
        String reason = e.path("finish_reason").asText(null);
        FinishReason finish = reason == null ? null : reason.equals("length") ? FinishReason.LENGTH : FinishReason.STOP;
        return new TokenEvent(token, e.path("text").asText(""), finish);
    }
}
