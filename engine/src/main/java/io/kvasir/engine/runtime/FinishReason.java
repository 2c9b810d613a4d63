package io.kvasir.engine.runtime;

/** Why a sequence stopped, in OpenAI's words. */
public enum FinishReason {
    /** An EOS token, a stop token id or a stop string. */
    STOP,
    /** max_tokens, or the model's context length. */
    LENGTH;

    public String openAiName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
