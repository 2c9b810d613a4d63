package io.kvasir.engine.tokenizer;

/** Decodes a slice of ids; lets the streaming detokenizer run over any tokenizer and be tested alone. */
@FunctionalInterface
interface IdDecoder {
    String decode(int[] ids, int from, int to);
}
