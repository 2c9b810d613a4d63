package io.kvasir.kvstore.handoff;

import io.kvasir.engine.sampling.SampledToken;
import io.kvasir.engine.sampling.SamplerState;

import java.util.List;

/**
 * What a prefill worker hands a decode worker: where the prompt's KV is in the store and the first token.
 *
 * @param blockHashes   chain hashes (hex) of the prompt's full blocks, in order; every layer of each is stored
 * @param partialBlock  whether the prompt ends in a partial block, stored under the request id
 * @param tokenCount    prompt tokens whose KV is stored
 * @param cachedTokens  of those, how many the prefill reused from the store instead of computing
 * @param sampler       the request's random stream after the first token (its seed, drawn when the request named
 *                      none, and the draws taken), so decode continues it; null starts a fresh one
 * @param firstText     the text the first token releases under the request's stop rules, so the gateway can send it
 *                      to the client before decode starts; null when the prefill worker did not say
 */
public record Handoff(String requestId, String model, int[] promptTokens, List<String> blockHashes,
                      boolean partialBlock, int tokenCount, int cachedTokens, SampledToken firstToken,
                      SamplerState sampler, String firstText) {
}
