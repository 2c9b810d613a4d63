package io.kvasir.engine.model.needle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One retrieval task: filler text with needles {@code <N i_j>} at given positions, ending with the question
 * {@code <K i>} of one of them; the right next token is {@code <V j>}. With several needles every key is distinct
 * (RULER's multi-key variant), so exactly one needle answers the question.
 *
 * @param positions where the needles sit, the asked one first
 */
public record NeedlePrompt(int[] tokens, int answer, int[] positions) {

    /**
     * @param length  prompt tokens, question included
     * @param depth   where the asked needle sits: 0 is the first token, 1 right before the question
     * @param needles how many needles (distinct keys); the others go to random positions
     * @param seed    picks keys, values and the other needles' positions
     */
    public static NeedlePrompt build(NeedleTokens ids, int length, double depth, int needles, long seed) {
        int keys = ids.keys().length;
        if (needles < 1 || needles > keys) {
            throw new IllegalArgumentException("needles must be in [1, " + keys + "], got " + needles);
        }
        if (depth < 0 || depth > 1) {
            throw new IllegalArgumentException("depth must be in [0, 1], got " + depth);
        }
        if (length < needles + 1) {
            throw new IllegalArgumentException("a prompt of " + length + " tokens cannot hold " + needles + " needles and a question");
        }
        SplittableRandom random = new SplittableRandom(seed);
        int haystack = length - 1;
        int[] tokens = new int[length];
        for (int t = 0; t < haystack; t++) {
            tokens[t] = ids.filler()[t % ids.filler().length];
        }
        List<Integer> unusedKeys = new ArrayList<>();
        for (int i = 0; i < keys; i++) {
            unusedKeys.add(i);
        }
        int[] positions = new int[needles];
        positions[0] = (int) Math.round(depth * (haystack - 1));
        for (int n = 1; n < needles; n++) {
            int candidate;
            do {
                candidate = random.nextInt(haystack);
            } while (contains(positions, n, candidate));
            positions[n] = candidate;
        }
        int askedKey = -1, answer = -1;
        for (int n = 0; n < needles; n++) {
            int key = unusedKeys.remove(random.nextInt(unusedKeys.size()));
            int value = random.nextInt(ids.values().length);
            tokens[positions[n]] = ids.needles()[key][value];
            if (n == 0) {
                askedKey = key;
                answer = ids.values()[value];
            }
        }
        tokens[haystack] = ids.keys()[askedKey];
        return new NeedlePrompt(tokens, answer, positions);
    }

    private static boolean contains(int[] values, int count, int value) {
        return Arrays.stream(values, 0, count).anyMatch(v -> v == value);
    }
}
