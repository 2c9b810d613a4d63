package io.kvasir.engine.moe;

import java.util.Map;
import java.util.function.IntPredicate;

/** Chooses the resident expert to evict when an absent one must be loaded into a full cache. */
public enum EvictionPolicy {

    /** Least recently used: needs no knowledge of the future. */
    LRU {
        @Override
        int victim(Map<Integer, Long> lastUse, NextUse next) {
            return leastRecent(lastUse, e -> true);
        }
    },

    /**
     * Belady's rule: the expert whose next known use is farthest. Read-ME's pre-gating router makes the future
     * known; experts with no use in sight go first, least recently used among them.
     */
    BELADY {
        @Override
        int victim(Map<Integer, Long> lastUse, NextUse next) {
            long farthest = -1;
            for (int e : lastUse.keySet()) {
                farthest = Math.max(farthest, next.distance(e));
            }
            long chosen = farthest;
            return leastRecent(lastUse, e -> next.distance(e) == chosen);
        }
    };

    /** @param lastUse the resident experts, each with the clock of its last use */
    abstract int victim(Map<Integer, Long> lastUse, NextUse next);

    public static EvictionPolicy parse(String s) {
        return switch (s) {
            case "lru" -> LRU;
            case "belady" -> BELADY;
            default -> throw new IllegalArgumentException("unknown eviction policy '" + s + "' (lru, belady)");
        };
    }

    /** The least recently used of the residents that pass {@code candidate}. */
    private static int leastRecent(Map<Integer, Long> lastUse, IntPredicate candidate) {
        int victim = -1;
        long oldest = Long.MAX_VALUE;
        for (Map.Entry<Integer, Long> e : lastUse.entrySet()) {
            if (candidate.test(e.getKey()) && e.getValue() < oldest) {
                oldest = e.getValue();
                victim = e.getKey();
            }
        }
        return victim;
    }
}
