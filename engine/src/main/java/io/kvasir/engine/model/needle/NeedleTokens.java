package io.kvasir.engine.model.needle;

import io.kvasir.engine.tokenizer.Tokenizer;

import java.util.OptionalInt;

/**
 * The ids a needle prompt is made of, looked up in a loaded model's tokenizer by name, so prompts work for any
 * checkpoint with these tokens (the folder {@link NeedleModelWriter} wrote, or its GGUF export).
 *
 * @param filler the ids of {@link NeedleVocabulary#FILLER_TEXT}, as the tokenizer encodes it
 */
public record NeedleTokens(int[] keys, int[] values, int[][] needles, int[] filler) {

    public static NeedleTokens of(Tokenizer tokenizer) {
        int count = 0;
        while (tokenizer.tokenId(NeedleVocabulary.keyName(count)).isPresent()) {
            count++;
        }
        if (count < 2) {
            throw new IllegalArgumentException("not a needle model: its tokenizer has " + count + " key tokens ("
                    + NeedleVocabulary.keyName(0) + ", …); write one with ./kvasir needle-model");
        }
        int[] keys = new int[count], values = new int[count];
        int[][] needles = new int[count][count];
        for (int i = 0; i < count; i++) {
            keys[i] = require(tokenizer, NeedleVocabulary.keyName(i));
            values[i] = require(tokenizer, NeedleVocabulary.valueName(i));
            for (int j = 0; j < count; j++) {
                needles[i][j] = require(tokenizer, NeedleVocabulary.needleName(i, j));
            }
        }
        return new NeedleTokens(keys, values, needles, tokenizer.encode(NeedleVocabulary.FILLER_TEXT));
    }

    private static int require(Tokenizer tokenizer, String name) {
        OptionalInt id = tokenizer.tokenId(name);
        if (id.isEmpty()) {
            throw new IllegalArgumentException("not a needle model: its tokenizer lacks " + name);
        }
        return id.getAsInt();
    }
}
