package io.kvasir.engine.tokenizer;

import java.util.Arrays;

/**
 * Incremental detokenization with a prefix offset, the scheme of Hugging Face's text-generation
 * servers. The window holds the last emitted token (the prefix, decoded again so that decoders that
 * depend on the previous token, such as SentencePiece's leading-space rule, see it) and the tokens
 * not yet emitted. Each push decodes only that window; text is emitted once its decoding grows past
 * the prefix's and does not end in U+FFFD, which is how an incomplete UTF-8 sequence decodes.
 */
final class PrefixOffsetDetokenizer implements StreamingDetokenizer {

    /**
     * A UTF-8 character has at most 4 bytes and every token at least one, so more pending tokens than
     * this means the U+FFFD is real (the model produced invalid bytes) or the tokens decode to nothing;
     * waiting longer cannot help, and the bound keeps every push O(1).
     */
    static final int MAX_PENDING = 8;

    private static final char REPLACEMENT = '\uFFFD';

    private final IdDecoder decoder;
    private int[] window = new int[MAX_PENDING + 2];
    private int size;
    /** Tokens [0, readOffset) of the window have been emitted; prefixText is their decoding. */
    private int readOffset;
    private String prefixText = "";

    PrefixOffsetDetokenizer(IdDecoder decoder) {
        this.decoder = decoder;
    }

    @Override
    public String push(int tokenId) {
        if (size == window.length) {
            window = Arrays.copyOf(window, size * 2);
        }
        window[size++] = tokenId;
        String text = decoder.decode(window, 0, size);
        boolean grew = text.length() > prefixText.length();
        boolean incomplete = grew && text.charAt(text.length() - 1) == REPLACEMENT;
        if ((!grew || incomplete) && size - readOffset <= MAX_PENDING) {
            return "";
        }
        String piece = grew ? text.substring(prefixText.length()) : "";
        keepOnlyLast();
        return piece;
    }

    @Override
    public String flush() {
        String text = decoder.decode(window, 0, size);
        String rest = text.length() > prefixText.length() ? text.substring(prefixText.length()) : "";
        size = 0;
        readOffset = 0;
        prefixText = "";
        return rest;
    }

    /** Everything is emitted: the newest token becomes the prefix of the next window. */
    private void keepOnlyLast() {
        window[0] = window[size - 1];
        size = 1;
        readOffset = 1;
        prefixText = decoder.decode(window, 0, 1);
    }
}
