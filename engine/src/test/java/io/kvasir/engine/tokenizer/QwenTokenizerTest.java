package io.kvasir.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real Qwen3 tokenizer; skipped where tools/fetch-npm.sh has not installed it. */
class QwenTokenizerTest {

    private static Tokenizer qwen;

    @BeforeAll
    static void load() {
        qwen = Tokenizers.load(TestTokenizers.qwenDir());
    }

    @Test
    void knownIdsAndSpecialTokens() {
        assertArrayEquals(new int[] {9707, 1879}, qwen.encode("Hello world"), "Qwen's post-processor adds nothing");
        assertEquals(151643, qwen.tokenId("<|endoftext|>").orElseThrow());
        assertEquals(151645, qwen.tokenId("<|im_end|>").orElseThrow());
        assertTrue(qwen.isSpecial(151644));
        assertTrue(qwen.vocabSize() >= 151646, "added tokens count: " + qwen.vocabSize());
    }

    @Test
    void roundTripsMultilingualTextAndEmoji() {
        assertEquals(TestTokenizers.MULTILINGUAL, qwen.decode(qwen.encode(TestTokenizers.MULTILINGUAL)));
    }

    @Test
    void longTextIsNotTruncated() {
        String text = "The quick brown fox jumps over the lazy dog. ".repeat(12_000);
        int[] ids = qwen.encode(text);
        assertTrue(ids.length >= 100_000, "got " + ids.length + " ids");
        assertEquals(text, qwen.decode(ids));
    }

    @Test
    void renderedChatEncodesWithItsControlTokens() {
        ChatTemplate template = ChatTemplate.load(TestTokenizers.qwenDir(), qwen);
        int[] ids = qwen.encodeWithoutSpecialTokens(template.render(List.of(new ChatMessage("user", "hi")), true));
        assertEquals(151644, ids[0]);
        assertEquals("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", qwen.decode(ids));
        assertEquals("user\nhi\nassistant\n", qwen.decode(ids, true));
    }
}
