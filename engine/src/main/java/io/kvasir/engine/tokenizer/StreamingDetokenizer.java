package io.kvasir.engine.tokenizer;

/**
 * Turns a stream of generated token ids into text pieces, one sequence at a time (not thread-safe).
 * A piece never ends in the middle of a UTF-8 sequence: bytes of a character that spans several
 * tokens are held back until the character is complete.
 */
public interface StreamingDetokenizer {

    /** Adds one token and returns the text that became complete with it, possibly empty. */
    String push(int tokenId);

    /** Returns whatever is still held back (an incomplete trailing sequence decodes as U+FFFD) and resets. */
    String flush();
}
