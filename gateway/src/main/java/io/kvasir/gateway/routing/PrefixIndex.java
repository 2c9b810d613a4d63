package io.kvasir.gateway.routing;

import io.kvasir.engine.kv.KvCache;
import io.kvasir.kvstore.BlockHashes;
import io.kvasir.kvstore.ChainHash;
import io.kvasir.kvstore.events.KvEvent;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which prompt blocks the KV store holds, as the KV events tell it: a block enters on {@code STORED} (all its
 * layers) and leaves on any {@code EVICTED} layer, since a prefill worker reuses a block only when every layer is
 * there. The store is shared by every prefill worker, so this counts what a prompt will cost to prefill on any of
 * them. Bounded: past {@code capacity} blocks the least recently seen are forgotten, which can only make a prompt
 * look more expensive than it is. Thread-safe.
 */
public final class PrefixIndex {

    private final Map<ChainHash, Boolean> stored;

    public PrefixIndex(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("the prefix index needs room for at least one block");
        }
        this.stored = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ChainHash, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Applies one event from {@code kvasir.kv-events}; hashes that do not parse are skipped. */
    public void accept(KvEvent event) {
        synchronized (stored) {
            for (String hex : event.blockHashes()) {
                ChainHash hash;
                try {
                    hash = ChainHash.parse(hex);
                } catch (RuntimeException malformed) {
                    continue;
                }
                if (event.kind() == KvEvent.Kind.STORED) {
                    stored.put(hash, Boolean.TRUE);
                } else {
                    stored.remove(hash);
                }
            }
        }
    }

    /**
     * Prompt tokens a prefill worker will have to compute: all but the longest stored prefix of full blocks, and
     * never fewer than one token (the last prompt token is always computed, its logits give the first token).
     */
    public int uncachedTokens(int[] prompt) {
        List<ChainHash> hashes = BlockHashes.of(prompt);
        int reusable = Math.min(hashes.size(), (prompt.length - 1) / KvCache.BLOCK_TOKENS);
        int cached = 0;
        synchronized (stored) {
            while (cached < reusable && stored.get(hashes.get(cached)) != null) {
                cached++;
            }
        }
        return prompt.length - cached * KvCache.BLOCK_TOKENS;
    }

    public int size() {
        synchronized (stored) {
            return stored.size();
        }
    }
}
