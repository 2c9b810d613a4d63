package io.kvasir.kvstore;

import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.Sequence;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Moves one layer of one block between a sequence's KV cache and a store record, byte for byte. */
public final class SequenceKv {

    private SequenceKv() {
    }

    public static KvBlockRecord export(InferenceEngine engine, Sequence s, int logicalBlock, int layer) {
        KvCache cache = engine.cache();
        int tokens = InferenceEngine.tokensIn(s, logicalBlock);
        int bytes = cache.blockBytes(tokens);
        ByteBuffer k = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer v = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        engine.exportKv(s, logicalBlock, layer, k, v);
        return new KvBlockRecord(KvDtype.of(cache.precision()), tokens, cache.numKvHeads(), cache.headDim(),
                KvBlockRecord.allHeads(cache.numKvHeads()), k.array(), v.array());
    }

    /** Fills one layer of one block; a record of another shape or type than this cache's is refused. */
    public static void importInto(InferenceEngine engine, Sequence s, int logicalBlock, int layer, KvBlockRecord r) {
        KvCache cache = engine.cache();
        int tokens = InferenceEngine.tokensIn(s, logicalBlock);
        if (r.dtype() != KvDtype.of(cache.precision()) || r.tokens() != tokens || r.kvHeads() != cache.numKvHeads()
                || r.headDim() != cache.headDim() || r.headMask() != KvBlockRecord.allHeads(cache.numKvHeads())) {
            throw new IllegalArgumentException("block " + logicalBlock + " layer " + layer + " does not fit this cache: "
                    + r.dtype() + " " + r.tokens() + "×" + r.kvHeads() + "×" + r.headDim() + ", expected "
                    + KvDtype.of(cache.precision()) + " " + tokens + "×" + cache.numKvHeads() + "×" + cache.headDim());
        }
        engine.importKv(s, logicalBlock, layer, ByteBuffer.wrap(r.k()).order(ByteOrder.LITTLE_ENDIAN),
                ByteBuffer.wrap(r.v()).order(ByteOrder.LITTLE_ENDIAN));
    }
}
