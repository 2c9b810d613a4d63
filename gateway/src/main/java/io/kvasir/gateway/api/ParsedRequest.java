package io.kvasir.gateway.api;

import io.kvasir.engine.sampling.SamplingParams;

import java.util.List;

/**
 * A validated chat or completions request, before tokenization.
 *
 * @param prompts      one per prompt (a chat has one; completions may batch several)
 * @param params       sampling and stop rules; {@code maxTokens} is final only when {@code maxTokens} is set
 * @param maxTokens    the client's cap, or null for the endpoint's default
 * @param n            choices per prompt
 * @param logprobs     alternatives to report per token, -1 for no logprobs
 */
record ParsedRequest(
        Endpoint endpoint,
        String model,
        List<Prompt> prompts,
        SamplingParams params,
        Integer maxTokens,
        int n,
        boolean stream,
        boolean includeUsage,
        int logprobs,
        boolean echo) {

    enum Endpoint { CHAT, COMPLETIONS }

    /** Exactly one of {@code text} (to be tokenized) and {@code tokens} (already ids) is set. */
    record Prompt(String text, int[] tokens, boolean chat) {}
}
