package io.kvasir.kvstore;

import com.hazelcast.partition.PartitionAware;

import java.io.Serializable;

/**
 * Where one layer of one block lives. A full block is named by its chain hash; a sequence's partial last block,
 * which no other request can share, by its request id. Partitioned on the hash (or request id), so all layers of
 * a block sit on the same member and one member's loss never splits a block.
 *
 * @param model     fingerprint of the model (and KV type) that computed the block
 * @param hash      chain hash of a full block; null for a partial block
 * @param requestId owner of a partial block; null for a full block
 */
public record KvBlockKey(String model, ChainHash hash, String requestId, int layer)
        implements PartitionAware<String>, Serializable {

    public KvBlockKey {
        if ((hash == null) == (requestId == null)) {
            throw new IllegalArgumentException("a block key names either a chain hash or a request id");
        }
        if (layer < 0) {
            throw new IllegalArgumentException("layer must be >= 0, got " + layer);
        }
    }

    public static KvBlockKey full(String model, ChainHash hash, int layer) {
        return new KvBlockKey(model, hash, null, layer);
    }

    public static KvBlockKey partial(String model, String requestId, int layer) {
        return new KvBlockKey(model, null, requestId, layer);
    }

    public boolean isPartial() {
        return requestId != null;
    }

    @Override
    public String getPartitionKey() {
        return hash != null ? hash.toString() : requestId;
    }
}
