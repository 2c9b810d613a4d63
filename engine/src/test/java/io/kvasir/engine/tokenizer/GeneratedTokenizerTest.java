package io.kvasir.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class GeneratedTokenizerTest {

    @Test
    void generatesTheExactVocabularySizeWithSpecialsAtTheEnd() throws Exception {
        for (int size : new int[] {259, 512, 32000}) {
            Tokenizer tokenizer = Tokenizers.load(TestTokenizers.generatedDir(size));
            assertEquals(size, tokenizer.vocabSize());
            assertEquals(size - 3, tokenizer.tokenId("<|endoftext|>").orElseThrow());
            assertEquals(size - 2, tokenizer.tokenId("<|im_start|>").orElseThrow());
            assertEquals(size - 1, tokenizer.tokenId("<|im_end|>").orElseThrow());
            assertTrue(tokenizer.isSpecial(size - 1));
            assertFalse(tokenizer.isSpecial(size - 4));
        }
    }

    @Test
    void vocabularyIsDeterministicAndConsistent() throws Exception {
        ByteLevelBpeVocabulary vocabulary = TokenizerGenerator.vocabulary(32000);
        assertEquals(vocabulary, TokenizerGenerator.vocabulary(32000));
        assertEquals(32000, vocabulary.tokens().size());
        assertEquals(32000, new HashSet<>(vocabulary.tokens()).size(), "tokens are unique");
        assertEquals(31999, vocabulary.eosId());
        assertEquals(ByteLevelBpeVocabulary.TYPE_CONTROL, vocabulary.tokenTypes().get(31999));
        HashSet<String> tokens = new HashSet<>(vocabulary.tokens());
        for (String merge : vocabulary.merges()) {
            String[] parts = merge.split(" ");
            assertEquals(2, parts.length, merge);
            assertTrue(tokens.contains(parts[0]) && tokens.contains(parts[1]) && tokens.contains(parts[0] + parts[1]),
                    "merge " + merge + " is within the vocabulary");
        }
        assertEquals(vocabulary, ByteLevelBpeVocabulary.read(TestTokenizers.generatedDir(32000)));
        assertThrows(IllegalArgumentException.class, () -> TokenizerGenerator.vocabulary(258));
    }

    @Test
    void mergesAreUsed() throws Exception {
        Tokenizer tokenizer = Tokenizers.load(TestTokenizers.generatedDir(512));
        String text = "The quick brown fox jumps over the lazy dog.";
        assertTrue(tokenizer.encode(text).length < text.length(), "fewer ids than bytes");
    }

    @Test
    void roundTripsMultilingualTextAndEmoji() throws Exception {
        for (int size : new int[] {512, 32000}) {
            Tokenizer tokenizer = Tokenizers.load(TestTokenizers.generatedDir(size));
            assertEquals(TestTokenizers.MULTILINGUAL, tokenizer.decode(tokenizer.encode(TestTokenizers.MULTILINGUAL)));
        }
    }

    @Test
    void specialTokensInTextBecomeTheirIdsAndCanBeSkippedOnDecode() throws Exception {
        Tokenizer tokenizer = Tokenizers.load(TestTokenizers.generatedDir(512));
        int[] ids = tokenizer.encode("<|im_start|>user\nhi<|im_end|>");
        assertEquals(510, ids[0]);
        assertEquals(511, ids[ids.length - 1]);
        assertArrayEquals(ids, tokenizer.encodeWithoutSpecialTokens("<|im_start|>user\nhi<|im_end|>"),
                "a ByteLevel post-processor adds nothing");
        assertEquals("<|im_start|>user\nhi<|im_end|>", tokenizer.decode(ids));
        assertEquals("user\nhi", tokenizer.decode(ids, true));
    }

    @Test
    void encodesOneHundredThousandTokensWithoutTruncation() throws Exception {
        Tokenizer tokenizer = Tokenizers.load(TestTokenizers.generatedDir(512));
        // Every word starts with a space and has no merge with its neighbours, so each is >= 1 id.
        List<String> words = List.of(" alpha", " 你好", " مرحبا", " नमस्ते", " 👍🏽", " 42", " fox,");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
            text.append(words.get(i % words.size()));
        }
        int[] ids = tokenizer.encode(text.toString());
        assertTrue(ids.length >= 100_000, "got " + ids.length + " ids");
        assertEquals(text.toString(), tokenizer.decode(ids));
    }

    @Test
    void ggufVocabularyEncodesLikeTheTokenizerJsonItCameFrom() throws Exception {
        ByteLevelBpeVocabulary vocabulary = ByteLevelBpeVocabulary.read(TestTokenizers.generatedDir(512));
        Tokenizer fromGguf = Tokenizers.fromGgufVocabulary("gpt2", "qwen2",
                vocabulary.tokens(), vocabulary.tokenTypes(), vocabulary.merges());
        Tokenizer fromJson = Tokenizers.load(TestTokenizers.generatedDir(512));
        String text = TestTokenizers.MULTILINGUAL + "<|im_start|>assistant\n";
        assertArrayEquals(fromJson.encode(text), fromGguf.encode(text));
        assertEquals(512, fromGguf.vocabSize());
        assertTrue(fromGguf.isSpecial(511));
        assertThrows(IllegalArgumentException.class, () -> Tokenizers.fromGgufVocabulary("llama", "default",
                vocabulary.tokens(), vocabulary.tokenTypes(), vocabulary.merges()));
    }
}
