package io.kvasir.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StreamingDetokenizerTest {

    @Test
    void neverEmitsABrokenCharacterAndConcatenatesToTheText() throws Exception {
        // With 259 tokens there are no merges: every byte is its own token, so every multi-byte
        // character is split across tokens.
        for (int size : new int[] {259, 512}) {
            Tokenizer tokenizer = Tokenizers.load(TestTokenizers.generatedDir(size));
            assertStreamsExactly(tokenizer, TestTokenizers.MULTILINGUAL.repeat(3));
        }
    }

    @Test
    void realQwenTokenizerStreamsExactly() {
        assertStreamsExactly(Tokenizers.load(TestTokenizers.qwenDir()), TestTokenizers.MULTILINGUAL.repeat(3));
    }

    @Test
    void invalidBytesAreEmittedAfterABoundedWait() {
        // A decoder whose every token is a lone UTF-8 lead byte: the text never completes.
        IdDecoder leadBytes = (ids, from, to) ->
                new String(new byte[] {(byte) 0xE4}, StandardCharsets.UTF_8).repeat(to - from);
        StreamingDetokenizer detokenizer = new PrefixOffsetDetokenizer(leadBytes);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < PrefixOffsetDetokenizer.MAX_PENDING; i++) {
            assertEquals("", detokenizer.push(i));
        }
        out.append(detokenizer.push(99));
        assertEquals(PrefixOffsetDetokenizer.MAX_PENDING + 1, out.length(), "the whole window is given up at once");
        assertEquals("", detokenizer.push(100));
        assertEquals("\uFFFD", detokenizer.flush());
    }

    private static void assertStreamsExactly(Tokenizer tokenizer, String text) {
        StreamingDetokenizer detokenizer = tokenizer.streamingDetokenizer();
        StringBuilder streamed = new StringBuilder();
        for (int id : tokenizer.encode(text)) {
            String piece = detokenizer.push(id);
            assertFalse(piece.contains("\uFFFD"), () -> "broken character emitted after " + streamed);
            streamed.append(piece);
        }
        streamed.append(detokenizer.flush());
        assertEquals(text, streamed.toString());
    }
}
