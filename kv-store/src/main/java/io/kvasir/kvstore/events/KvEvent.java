package io.kvasir.kvstore.events;

import java.util.List;

/**
 * Blocks that entered or left the store, for routers that track which worker's prefix is cached where.
 *
 * @param blockHashes chain hashes (hex) of the blocks, all layers of each unless {@code layer} is given (≥ 0)
 */
public record KvEvent(Kind kind, String model, List<String> blockHashes, int layer, String source, long timeMillis) {

    public enum Kind { STORED, EVICTED }

    public KvEvent {
        blockHashes = List.copyOf(blockHashes);
    }
}
