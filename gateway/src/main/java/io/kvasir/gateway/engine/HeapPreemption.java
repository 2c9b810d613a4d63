package io.kvasir.gateway.engine;

import io.kvasir.engine.runtime.DecodeLoop;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.Sequence;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Parks a preempted sequence's KV on the heap, block by block and layer by layer, byte for byte as the cache holds
 * it, so the sequence resumes exactly where it stopped. In one process there is no KV store to park it in; what is
 * parked is bounded by the cache itself, since the loop admits no new sequence while any is parked.
 */
final class HeapPreemption implements DecodeLoop.Preemption {

    private record Parked(byte[][] k, byte[][] v) {}

    private final InferenceEngine engine;
    private final int layers;
    private final Map<Sequence, Parked> parked = new ConcurrentHashMap<>();

    HeapPreemption(InferenceEngine engine) {
        this.engine = engine;
        this.layers = engine.model().config().numLayers();
    }

    @Override
    public void save(Sequence s) {
        int blocks = blocks(s);
        byte[][] k = new byte[blocks * layers][];
        byte[][] v = new byte[blocks * layers][];
        for (int b = 0; b < blocks; b++) {
            int bytes = engine.cache().blockBytes(InferenceEngine.tokensIn(s, b));
            for (int l = 0; l < layers; l++) {
                ByteBuffer kb = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
                ByteBuffer vb = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
                engine.exportKv(s, b, l, kb, vb);
                k[b * layers + l] = kb.array();
                v[b * layers + l] = vb.array();
            }
        }
        parked.put(s, new Parked(k, v));
    }

    @Override
    public void load(Sequence s) {
        Parked p = parked.remove(s);
        if (p == null) {
            throw new IllegalStateException("no parked KV for this sequence");
        }
        for (int b = 0; b < blocks(s); b++) {
            for (int l = 0; l < layers; l++) {
                engine.importKv(s, b, l, ByteBuffer.wrap(p.k[b * layers + l]).order(ByteOrder.LITTLE_ENDIAN),
                        ByteBuffer.wrap(p.v[b * layers + l]).order(ByteOrder.LITTLE_ENDIAN));
            }
        }
    }


    private static int blocks(Sequence s) {
        return (s.kvTokens() + io.kvasir.engine.kv.KvCache.BLOCK_TOKENS - 1) / io.kvasir.engine.kv.KvCache.BLOCK_TOKENS;
    }
}
