package io.kvasir.decode;

import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.runtime.DecodeLoop;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.kvstore.BlockHashes;
import io.kvasir.kvstore.ChainHash;
import io.kvasir.kvstore.KvBlockKey;
import io.kvasir.kvstore.KvBlockRecord;
import io.kvasir.kvstore.KvStoreClient;
import io.kvasir.kvstore.SequenceKv;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Parks a preempted sequence's KV in the store: full blocks under their chain hashes (shareable, and mostly there
 * already), the partial last block under the request id. Runs on the loop thread, so writes and reads block it;
 * preemption is the rare path that keeps the worker alive under memory pressure.
 */
final class StorePreemption implements DecodeLoop.Preemption {

    private record Owner(String requestId, int[] prompt) {}

    private final InferenceEngine engine;
    private final KvStoreClient store;
    private final String model;
    private final Map<Sequence, Owner> owners = new ConcurrentHashMap<>();

    StorePreemption(InferenceEngine engine, KvStoreClient store, String model) {
        this.engine = engine;
        this.store = store;
        this.model = model;
    }

    void register(Sequence s, String requestId, int[] prompt) {
        owners.put(s, new Owner(requestId, prompt));
    }

    void forget(Sequence s) {
        owners.remove(s);
    }

    @Override
    public void save(Sequence s) {
        List<KvBlockKey> keys = keys(s, s.kvTokens());
        Map<KvBlockKey, KvBlockRecord> records = new HashMap<>();
        int layers = engine.model().config().numLayers();
        for (int i = 0; i < keys.size(); i++) {
            records.put(keys.get(i), SequenceKv.export(engine, s, i / layers, i % layers));
        }
        store.putAll(records).join();
    }

    @Override
    public void load(Sequence s) {
        List<KvBlockKey> keys = keys(s, s.kvTokens());
        Map<KvBlockKey, KvBlockRecord> records = store.getAll(keys);
        int layers = engine.model().config().numLayers();
        for (int i = 0; i < keys.size(); i++) {
            KvBlockRecord r = records.get(keys.get(i));
            if (r == null) {
                throw new UnknownBlockException("parked KV block " + keys.get(i) + " is gone from the store");
            }
            SequenceKv.importInto(engine, s, i / layers, i % layers, r);
        }
    }

    /** Keys of every layer of every block holding the first {@code tokens} positions, block by block. */
    private List<KvBlockKey> keys(Sequence s, int tokens) {
        Owner owner = owners.get(s);
        int[] all = new int[tokens];
        System.arraycopy(owner.prompt, 0, all, 0, Math.min(tokens, owner.prompt.length));
        if (tokens > owner.prompt.length) {
            System.arraycopy(s.generated(), 0, all, owner.prompt.length, tokens - owner.prompt.length);
        }
        List<ChainHash> hashes = BlockHashes.of(all);
        int layers = engine.model().config().numLayers();
        List<KvBlockKey> keys = new ArrayList<>();
        for (ChainHash h : hashes) {
            for (int l = 0; l < layers; l++) {
                keys.add(KvBlockKey.full(model, h, l));
            }
        }
        if (tokens % KvCache.BLOCK_TOKENS != 0) {
            for (int l = 0; l < layers; l++) {
                keys.add(KvBlockKey.partial(model, owner.requestId + "/preempted", l));
            }
        }
        return keys;
    }
}
