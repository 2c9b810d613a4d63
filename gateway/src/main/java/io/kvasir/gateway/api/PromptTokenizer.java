package io.kvasir.gateway.api;

import io.kvasir.engine.tokenizer.Tokenizer;
import io.kvasir.gateway.model.ServedModel;

/**
 * Turns a validated prompt into token ids and fixes the request's max tokens against the context length, with
 * vLLM's rules: the prompt plus the requested tokens must fit; without a cap, a chat may fill the context and a
 * completion gets 16 tokens (OpenAI's default), both bounded by the room left.
 */
final class PromptTokenizer {

    private static final int COMPLETIONS_DEFAULT_MAX_TOKENS = 16;

    private final ServedModel model;

    PromptTokenizer(ServedModel model) {
        this.model = model;
    }

    int[] tokens(ParsedRequest.Prompt prompt) {
        if (prompt.tokens() != null) {
            for (int id : prompt.tokens()) {
                if (id >= model.vocabSize()) {
                    throw OpenAiException.invalid("prompt", "token id " + id + " is outside the vocabulary [0, "
                            + model.vocabSize() + ")");
                }
            }
            return prompt.tokens();
        }
        Tokenizer t = model.tokenizer();
        // A rendered chat already carries its template's special tokens; the post-processor must not add more.
        int[] ids = prompt.chat() ? t.encodeWithoutSpecialTokens(prompt.text()) : t.encode(prompt.text());
        if (ids.length == 0) {
            throw OpenAiException.invalid(prompt.chat() ? "messages" : "prompt", "the prompt has no tokens");
        }
        return ids;
    }

    /** The prompt's text for {@code echo}. */
    String text(ParsedRequest.Prompt prompt) {
        return prompt.text() != null ? prompt.text() : model.tokenizer().decode(prompt.tokens(), true);
    }

    /** @throws OpenAiException 400 naming the context length when the prompt (and any requested tokens) overflow it */
    int maxTokens(ParsedRequest request, int promptTokens) {
        int context = model.contextLength();
        String param = request.endpoint() == ParsedRequest.Endpoint.CHAT ? "messages" : "prompt";
        if (promptTokens >= context) {
            throw OpenAiException.contextLengthExceeded(param, "This model's maximum context length is " + context
                    + " tokens. However, your prompt has " + promptTokens + " tokens, which leaves no room to generate.");
        }
        int room = context - promptTokens;
        Integer asked = request.maxTokens();
        if (asked == null) {
            return request.endpoint() == ParsedRequest.Endpoint.CHAT ? room : Math.min(COMPLETIONS_DEFAULT_MAX_TOKENS, room);
        }
        if (asked > room) {
            throw OpenAiException.contextLengthExceeded("max_tokens", "This model's maximum context length is " + context
                    + " tokens. However, you requested " + ((long) promptTokens + asked) + " tokens (" + promptTokens
                    + " in the prompt, " + asked + " for the completion). Please reduce the prompt or max_tokens.");
        }
        return asked;
    }
}
