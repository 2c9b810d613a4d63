package io.kvasir.engine.tokenizer;

/**
 * GPT-2's byte-to-symbol table: byte-level BPE vocabularies spell each byte as one printable
 * character. Printable Latin-1 bytes stand for themselves; the others (controls, space, soft hyphen…)
 * are shifted to U+0100 onwards in byte order, which is why a space appears as 'Ġ'.
 */
public final class ByteLevel {

    private static final String[] SYMBOLS = new String[256];

    static {
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            SYMBOLS[b] = String.valueOf((char) (printable ? b : 256 + shifted++));
        }
    }

    private ByteLevel() {}

    public static String symbol(int unsignedByte) {
        return SYMBOLS[unsignedByte];
    }
}
