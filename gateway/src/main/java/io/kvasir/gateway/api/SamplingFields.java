package io.kvasir.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvasir.engine.sampling.SamplingParams;

import java.util.ArrayList;
import java.util.List;

/** The sampling fields chat and completions share, read with OpenAI's ranges (and vLLM's extensions). */
final class SamplingFields {

    static final int MAX_N = 16;
    private static final int MAX_STOPS = 4;

    private SamplingFields() {}

    /** Builds sampling params with a placeholder {@code maxTokens}; the caller sets the real one. */
    static SamplingParams read(JsonFields f, int logprobs) {
        SamplingParams.Builder b = SamplingParams.builder()
                .temperature(f.number("temperature", 1.0, 0, false, 2))
                .topP(f.number("top_p", 1.0, 0, true, 1))
                .minP(f.number("min_p", 0.0, 0, false, 1))
                .presencePenalty(f.number("presence_penalty", 0, -2, false, 2))
                .frequencyPenalty(f.number("frequency_penalty", 0, -2, false, 2))
                .repetitionPenalty(f.number("repetition_penalty", 1.0, 0, true, 2))
                .seed(f.longInteger("seed"))
                .stop(stops(f))
                .ignoreEos(f.bool("ignore_eos", false))
                .logprobs(logprobs)
                .maxTokens(1);
        Integer topK = f.integer("top_k", -1, Integer.MAX_VALUE);
        if (topK != null) {
            b.topK(topK);
        }
        return b.build();
    }

    static int n(JsonFields f) {
        Integer n = f.integer("n", 1, MAX_N);
        return n == null ? 1 : n;
    }

    /** Max tokens from {@code max_completion_tokens} or the older {@code max_tokens}; null when neither. */
    static Integer maxTokens(JsonFields f) {
        Integer newer = f.integer("max_completion_tokens", 1, Integer.MAX_VALUE);
        Integer older = f.integer("max_tokens", 1, Integer.MAX_VALUE);
        return newer != null ? newer : older;
    }

    /** {@code stream_options} is only meaningful, and only accepted, on a streamed request, as OpenAI does. */
    static boolean includeUsage(JsonFields f, boolean stream) {
        JsonNode options = f.get("stream_options");
        if (options == null) {
            return false;
        }
        if (!stream) {
            throw OpenAiException.invalid("stream_options", "'stream_options' is only allowed when 'stream' is true");
        }
        if (!options.isObject()) {
            throw OpenAiException.invalid("stream_options", "'stream_options' must be an object");
        }
        JsonNode include = options.get("include_usage");
        if (include == null || include.isNull()) {
            return false;
        }
        if (!include.isBoolean()) {
            throw OpenAiException.invalid("stream_options.include_usage", "'include_usage' must be a boolean");
        }
        return include.booleanValue();
    }

    private static List<String> stops(JsonFields f) {
        JsonNode v = f.get("stop");
        if (v == null) {
            return List.of();
        }
        List<String> stops = new ArrayList<>();
        if (v.isTextual()) {
            stops.add(v.textValue());
        } else if (v.isArray()) {
            if (v.size() > MAX_STOPS) {
                throw OpenAiException.invalid("stop", "'stop' may hold at most " + MAX_STOPS + " strings, got " + v.size());
            }
            for (JsonNode s : v) {
                if (!s.isTextual()) {
                    throw OpenAiException.invalid("stop", "'stop' must be a string or an array of strings");
                }
                stops.add(s.textValue());
            }
        } else {
            throw OpenAiException.invalid("stop", "'stop' must be a string or an array of strings");
        }
        if (stops.stream().anyMatch(String::isEmpty)) {
            throw OpenAiException.invalid("stop", "stop strings must not be empty");
        }
        return stops;
    }
}
