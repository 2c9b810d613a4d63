package io.kvasir.engine.sampling;

import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * The tokens a sequence has seen, kept in the form the penalties need so that a step costs the
 * number of distinct tokens, not the length of a 100K-token prompt: which ids occur anywhere (the
 * repetition penalty covers prompt and output) and how often each occurs in the output (presence and
 * frequency penalties cover the output only, as OpenAI defines them).
 */
public final class TokenHistory {

    private final BitSet seen = new BitSet();
    private int[] seenIds = new int[64];
    private int seenCount;
    private final Map<Integer, Integer> generatedCounts = new HashMap<>();

    public TokenHistory(int[] promptIds) {
        for (int id : promptIds) {
            markSeen(id);
        }
    }

    public void append(int generatedId) {
        markSeen(generatedId);
        generatedCounts.merge(generatedId, 1, Integer::sum);
    }

    private void markSeen(int id) {
        if (!seen.get(id)) {
            seen.set(id);
            if (seenCount == seenIds.length) {
                seenIds = Arrays.copyOf(seenIds, seenCount * 2);
            }
            seenIds[seenCount++] = id;
        }
    }

    int distinctSeen() {
        return seenCount;
    }

    int seenId(int index) {
        return seenIds[index];
    }

    Map<Integer, Integer> generatedCounts() {
        return generatedCounts;
    }
}
