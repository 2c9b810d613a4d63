package io.kvasir.gateway.backend;

import io.kvasir.engine.sampling.FinishReason;
import io.kvasir.engine.sampling.SampledToken;
import io.kvasir.gateway.api.OpenAiException;

/** Receives one choice's tokens. Calls for one choice never overlap. */
public interface GenerationListener {

    /**
     * @param token the sampled token with its logprob and alternatives (NaN logprob when none were asked for)
     * @param text  the text released with this token: empty while a possible stop string is held back
     */
    void onToken(SampledToken token, String text);

    /** @param cachedPromptTokens prompt tokens whose KV came from the prefix cache */
    void onFinish(FinishReason reason, int cachedPromptTokens);

    void onError(OpenAiException error);
}
