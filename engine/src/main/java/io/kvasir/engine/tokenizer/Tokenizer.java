package io.kvasir.engine.tokenizer;

import java.util.OptionalInt;

/**
 * Text to token ids and back for one model. Implementations are thread-safe: one instance serves
 * every request of a model.
 */
public interface Tokenizer {

    /**
     * Encodes text with the tokenizer's own post-processor, as Hugging Face's {@code encode} does by
     * default: whatever tokens that post-processor adds (Llama 3 prepends {@code <|begin_of_text|>},
     * Qwen adds nothing) are included, nothing else is. Never truncates.
     */
    int[] encode(String text);

    /**
     * Encodes text that must not get post-processor tokens, such as a rendered chat template that
     * already starts with its BOS token. Special-token strings in the text still become their ids.
     */
    int[] encodeWithoutSpecialTokens(String text);

    /** Decodes every id, special tokens included. */
    String decode(int[] ids);

    /** Decodes ids, leaving out special tokens when {@code skipSpecialTokens} is set (OpenAI's default output). */
    String decode(int[] ids, boolean skipSpecialTokens);

    /** Number of ids the model's embedding must cover: one past the highest id, added tokens included. */
    int vocabSize();

    /** The id of an added or special token such as {@code <|im_end|>}, if the tokenizer has it. */
    OptionalInt tokenId(String token);

    /** Whether the id is a special (control) token rather than text. */
    boolean isSpecial(int id);

    /** A new per-sequence incremental decoder. */
    StreamingDetokenizer streamingDetokenizer();
}
