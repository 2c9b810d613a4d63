package io.kvasir.engine.model.needle;

import io.kvasir.engine.tokenizer.ByteLevel;
import io.kvasir.engine.tokenizer.ByteLevelBpeVocabulary;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The needle model's tokens, a GPT-2-style byte-level BPE vocabulary: the 256 bytes, the words of
 * {@link #FILLER_TEXT} (built by BPE merges, so plain text tokenizes into whole words), {@code <|endoftext|>},
 * then added tokens with readable names: keys {@code <K i>}, values {@code <V j>} and needles {@code <N i_j>}
 * ("key i holds value j"), {@code keys} of each kind and {@code keys²} needles. Everything before the keys is
 * filler to the model.
 */
public final class NeedleVocabulary {

    /** The haystack sentences of RULER's needle tasks; prompts repeat them. */
    public static final String FILLER_TEXT =
            " The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again.";
    public static final String END_OF_TEXT = "<|endoftext|>";

    private static final Pattern WORD = Pattern.compile(" \\p{L}+");

    private final int keys;
    private final List<String> tokens = new ArrayList<>();
    private final List<Integer> types = new ArrayList<>();
    private final List<String> merges = new ArrayList<>();
    private final int endOfText;
    private final int firstKey;

    private NeedleVocabulary(int keys) {
        if (keys < 2) {
            throw new IllegalArgumentException("a needle model needs at least 2 keys, got " + keys);
        }
        this.keys = keys;
        for (int b = 0; b < 256; b++) {
            add(ByteLevel.symbol(b), ByteLevelBpeVocabulary.TYPE_NORMAL);
        }
        addWordMerges();
        endOfText = add(END_OF_TEXT, ByteLevelBpeVocabulary.TYPE_CONTROL);
        firstKey = tokens.size();
        for (int i = 0; i < keys; i++) {
            add(keyName(i), ByteLevelBpeVocabulary.TYPE_USER_DEFINED);
        }
        for (int j = 0; j < keys; j++) {
            add(valueName(j), ByteLevelBpeVocabulary.TYPE_USER_DEFINED);
        }
        for (int i = 0; i < keys; i++) {
            for (int j = 0; j < keys; j++) {
                add(needleName(i, j), ByteLevelBpeVocabulary.TYPE_USER_DEFINED);
            }
        }
    }

    /** A vocabulary with {@code keys} keys and as many values. */
    public static NeedleVocabulary of(int keys) {
        return new NeedleVocabulary(keys);
    }

    public static String keyName(int i) {
        return "<K" + i + ">";
    }

    public static String valueName(int j) {
        return "<V" + j + ">";
    }

    public static String needleName(int i, int j) {
        return "<N" + i + "_" + j + ">";
    }

    public int keys() {
        return keys;
    }

    /** Values are as many as keys. */
    public int values() {
        return keys;
    }

    public int size() {
        return tokens.size();
    }

    public int key(int i) {
        return firstKey + i;
    }

    public int value(int j) {
        return firstKey + keys + j;
    }

    public int needle(int i, int j) {
        return firstKey + 2 * keys + i * keys + j;
    }

    public int endOfText() {
        return endOfText;
    }

    /** Bytes, filler words and end-of-text: the tokens the model treats as haystack. */
    public boolean isFiller(int id) {
        return id < firstKey;
    }

    public ByteLevelBpeVocabulary asBpe() {
        return new ByteLevelBpeVocabulary(tokens, types, merges, -1, endOfText, endOfText);
    }

    /**
     * Each word becomes one token through a chain of merges that extend the word's own prefix by one symbol, so no
     * merge can split a word elsewhere. Every filler word starts with a space: no bare word's merge ("T h") can
     * break into a spaced one (" There").
     */
    private void addWordMerges() {
        Set<String> words = new LinkedHashSet<>();
        Matcher m = WORD.matcher(FILLER_TEXT);
        while (m.find()) {
            words.add(m.group());
        }
        Set<String> known = new LinkedHashSet<>(tokens);
        Set<String> mergeSet = new LinkedHashSet<>();
        for (String word : words) {
            byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
            String prefix = ByteLevel.symbol(bytes[0] & 0xFF);
            for (int i = 1; i < bytes.length; i++) {
                String next = ByteLevel.symbol(bytes[i] & 0xFF);
                if (mergeSet.add(prefix + " " + next)) {
                    merges.add(prefix + " " + next);
                }
                prefix += next;
                if (known.add(prefix)) {
                    add(prefix, ByteLevelBpeVocabulary.TYPE_NORMAL);
                }
            }
        }
    }

    private int add(String token, int type) {
        tokens.add(token);
        types.add(type);
        return tokens.size() - 1;
    }
}
