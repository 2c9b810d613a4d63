package io.kvasir.gateway.backend;

import io.kvasir.engine.sampling.SamplingParams;

/**
 * @param requestId    unique per choice; workers key request-scoped KV blocks by it
 * @param promptTokens the tokenized prompt, already checked against the vocabulary and context length
 * @param params       sampling and stop rules, {@code maxTokens} included
 */
public record GenerationInput(String requestId, int[] promptTokens, SamplingParams params) {}
