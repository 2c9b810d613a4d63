package io.kvasir.kvstore;

import io.kvasir.engine.kv.KvCache;

import java.util.ArrayList;
import java.util.List;

/** Chain hashes of a token sequence's full blocks; a trailing partial block has none (it is request-scoped). */
public final class BlockHashes {

    private BlockHashes() {
    }

    public static List<ChainHash> of(int[] tokens) {
        List<ChainHash> out = new ArrayList<>(tokens.length / KvCache.BLOCK_TOKENS);
        ChainHash parent = ChainHash.ROOT;
        for (int from = 0; from + KvCache.BLOCK_TOKENS <= tokens.length; from += KvCache.BLOCK_TOKENS) {
            parent = ChainHash.of(parent, tokens, from, from + KvCache.BLOCK_TOKENS);
            out.add(parent);
        }
        return out;
    }
}
