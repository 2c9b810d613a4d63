package io.kvasir.gateway.routing;

import io.kvasir.kvstore.BlockHashes;
import io.kvasir.kvstore.ChainHash;
import io.kvasir.kvstore.events.KvEvent;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PrefixIndexTest {

    private static int[] tokens(int n, int seed) {
        int[] t = new int[n];
        Arrays.setAll(t, i -> (i * 31 + seed) % 400);
        return t;
    }

    private static KvEvent stored(List<ChainHash> hashes) {
        return new KvEvent(KvEvent.Kind.STORED, "m", hashes.stream().map(ChainHash::toString).toList(), -1, "prefill", 0);
    }

    private static KvEvent evicted(ChainHash hash, int layer) {
        return new KvEvent(KvEvent.Kind.EVICTED, "m", List.of(hash.toString()), layer, "member", 0);
    }

    @Test
    void countsWhatFollowsTheLongestStoredPrefix() {
        PrefixIndex index = new PrefixIndex(100);
        int[] prompt = tokens(300, 1);                                    // 4 full blocks and 44 tokens
        assertEquals(300, index.uncachedTokens(prompt));
        List<ChainHash> hashes = BlockHashes.of(prompt);
        index.accept(stored(hashes.subList(0, 3)));
        assertEquals(300 - 3 * 64, index.uncachedTokens(prompt));
        // Block 3 alone does not extend the prefix past a gap.
        index.accept(evicted(hashes.get(1), 5));
        index.accept(stored(hashes.subList(3, 4)));
        assertEquals(300 - 64, index.uncachedTokens(prompt));
        // Another prompt sharing only the first block.
        int[] other = tokens(200, 1);
        other[70] = (other[70] + 1) % 400;
        assertEquals(200 - 64, index.uncachedTokens(other));
    }

    @Test
    void theLastPromptTokenIsAlwaysComputed() {
        PrefixIndex index = new PrefixIndex(100);
        int[] prompt = tokens(128, 2);
        index.accept(stored(BlockHashes.of(prompt)));
        assertEquals(64, index.uncachedTokens(prompt), "the second block holds the last token, whose logits are needed");
    }

    @Test
    void malformedHashesAreSkippedAndTheIndexStaysBounded() {
        PrefixIndex index = new PrefixIndex(2);
        int[] prompt = tokens(64 * 4 + 1, 3);
        List<ChainHash> hashes = BlockHashes.of(prompt);
        index.accept(new KvEvent(KvEvent.Kind.STORED, "m", List.of("not hex", hashes.get(0).toString()), -1, "p", 0));
        assertEquals(1, index.size());
        index.accept(stored(hashes));
        assertEquals(2, index.size());
        // The oldest blocks were forgotten, so the prompt looks uncached: never cheaper than it is.
        assertEquals(prompt.length, index.uncachedTokens(prompt));
    }
}
