package io.kvasir.gateway.events;

import java.util.List;

/**
 * Blocks that entered or left the KV store, field for field the kv-store module's {@code KvEvent} (issue 4).
 *
 * @param blockHashes chain hashes (hex) of the blocks, all layers of each unless {@code layer} is given (≥ 0)
 * @param source      who stored or evicted them
 */
public record KvEvent(Kind kind, String model, List<String> blockHashes, int layer, String source, long timeMillis) {

    public enum Kind { STORED, EVICTED }

    public KvEvent {
        blockHashes = List.copyOf(blockHashes);
    }
}
