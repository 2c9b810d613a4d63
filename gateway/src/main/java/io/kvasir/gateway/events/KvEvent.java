package io.kvasir.gateway.events;

import java.util.List;

/**
 * Blocks stored in or evicted from the KV store, as a kv-store member reports them.
 *
 * @param type        {@code stored} or {@code evicted}
 * @param model       the model fingerprint the blocks belong to
 * @param blockHashes the blocks' 128-bit chain hashes in hex, in prefix order for {@code stored}
 * @param worker      the prefill worker that wrote them (its base URL), or null for evictions
 */
public record KvEvent(String type, String model, List<String> blockHashes, String worker, long timestampMillis) {

    public static final String STORED = "stored";
    public static final String EVICTED = "evicted";

    public KvEvent {
        blockHashes = List.copyOf(blockHashes);
    }
}
