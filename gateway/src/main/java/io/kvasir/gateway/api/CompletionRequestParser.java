package io.kvasir.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.sampling.SamplingParams;

import java.util.ArrayList;
import java.util.List;

/** Validates a {@code /v1/completions} body: a prompt as a string, strings, token ids or lists of token ids. */
final class CompletionRequestParser {

    /** OpenAI caps a batched prompt at 2048 entries; more would only multiply one request's cost. */
    private static final int MAX_PROMPTS = 2048;

    private CompletionRequestParser() {}

    static ParsedRequest parse(ObjectNode body) {
        JsonFields f = new JsonFields(body);
        String model = f.requiredString("model");
        List<ParsedRequest.Prompt> prompts = prompts(f.get("prompt"));
        Integer logprobs = f.integer("logprobs", 0, SamplingParams.MAX_LOGPROBS);
        int logprobCount = logprobs == null ? -1 : logprobs;
        boolean echo = f.bool("echo", false);
        if (echo && logprobs != null) {
            throw OpenAiException.invalid("echo", "'echo' together with 'logprobs' (prompt logprobs) is not supported");
        }
        if (f.has("suffix")) {
            throw OpenAiException.invalid("suffix", "'suffix' is not supported by this model");
        }
        boolean stream = f.bool("stream", false);
        SamplingParams params = SamplingFields.read(f, logprobCount);
        f.optionalString("user");
        return new ParsedRequest(ParsedRequest.Endpoint.COMPLETIONS, model, prompts, params, SamplingFields.maxTokens(f),
                SamplingFields.n(f), stream, SamplingFields.includeUsage(f, stream), logprobCount, echo);
    }

    private static List<ParsedRequest.Prompt> prompts(JsonNode v) {
        if (v == null) {
            throw OpenAiException.invalid("prompt", "'prompt' is required");
        }
        if (v.isTextual()) {
            return List.of(text(v.textValue()));
        }
        if (!v.isArray() || v.isEmpty()) {
            throw OpenAiException.invalid("prompt", "'prompt' must be a string, an array of strings, an array of token "
                    + "ids or an array of arrays of token ids, and not empty");
        }
        if (v.size() > MAX_PROMPTS) {
            throw OpenAiException.invalid("prompt", "at most " + MAX_PROMPTS + " prompts per request, got " + v.size());
        }
        if (v.get(0).isNumber()) {
            return List.of(tokens(v, "prompt"));
        }
        List<ParsedRequest.Prompt> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            JsonNode p = v.get(i);
            if (p.isTextual()) {
                out.add(text(p.textValue()));
            } else if (p.isArray() && !p.isEmpty()) {
                out.add(tokens(p, "prompt[" + i + "]"));
            } else {
                throw OpenAiException.invalid("prompt", "prompt[" + i + "] must be a string or a non-empty array of token ids");
            }
        }
        return out;
    }

    private static ParsedRequest.Prompt text(String s) {
        if (s.isEmpty()) {
            throw OpenAiException.invalid("prompt", "'prompt' must not be empty");
        }
        return new ParsedRequest.Prompt(s, null, false);
    }

    private static ParsedRequest.Prompt tokens(JsonNode array, String at) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode t = array.get(i);
            if (!t.isIntegralNumber() || !t.canConvertToInt() || t.intValue() < 0) {
                throw OpenAiException.invalid("prompt", at + "[" + i + "] must be a non-negative integer token id");
            }
            ids[i] = t.intValue();
        }
        return new ParsedRequest.Prompt(null, ids, false);
    }
}
