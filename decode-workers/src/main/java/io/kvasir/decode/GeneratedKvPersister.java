package io.kvasir.decode;

import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.runtime.DecodeLoop;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.engine.sampling.SampledToken;
import io.kvasir.kvstore.BlockHashes;
import io.kvasir.kvstore.ChainHash;
import io.kvasir.kvstore.KvBlockKey;
import io.kvasir.kvstore.KvBlockRecord;
import io.kvasir.kvstore.KvStoreClient;
import io.kvasir.kvstore.SequenceKv;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes each block of a sequence to the store as soon as generated text fills it, so another worker can resume
 * the request from the store (or a later request reuse it as a prefix). Wraps the client's listener: it runs on the
 * loop thread between forwards, when the block's KV is final; the copy is taken there and the write is async.
 */
final class GeneratedKvPersister implements DecodeLoop.Listener {

    private final DecodeLoop.Listener client;
    private final InferenceEngine engine;
    private final KvStoreClient store;
    private final String model;
    private final int[] prompt;
    private final Consumer<Sequence> onEnd;
    private Sequence sequence;
    private int persistedBlocks;

    GeneratedKvPersister(DecodeLoop.Listener client, InferenceEngine engine, KvStoreClient store, String model, int[] prompt,
                         Consumer<Sequence> onEnd) {
        this.onEnd = onEnd;
        this.client = client;
        this.engine = engine;
        this.store = store;
        this.model = model;
        this.prompt = prompt;
        this.persistedBlocks = prompt.length / KvCache.BLOCK_TOKENS;   // the prefill worker stored these
    }

    /** The sequence whose blocks to write; set before it is submitted to the loop. */
    void attach(Sequence s) {
        this.sequence = s;
    }

    @Override
    public void token(SampledToken token, String text) {
        if (sequence != null && !sequence.isFinished()) {
            persistFullBlocks();
        }
        client.token(token, text);
    }

    @Override
    public void end(Sequence s, String error) {
        onEnd.accept(s);
        client.end(s, error);
    }

    private void persistFullBlocks() {
        int full = sequence.kvTokens() / KvCache.BLOCK_TOKENS;
        if (full <= persistedBlocks) {
            return;
        }
        int[] generated = sequence.generated();
        int[] tokens = new int[full * KvCache.BLOCK_TOKENS];
        System.arraycopy(prompt, 0, tokens, 0, Math.min(prompt.length, tokens.length));
        System.arraycopy(generated, 0, tokens, prompt.length, tokens.length - prompt.length);
        List<ChainHash> hashes = BlockHashes.of(tokens);
        int layers = engine.model().config().numLayers();
        Map<KvBlockKey, KvBlockRecord> records = new HashMap<>();
        for (int b = persistedBlocks; b < full; b++) {
            for (int l = 0; l < layers; l++) {
                records.put(KvBlockKey.full(model, hashes.get(b), l), SequenceKv.export(engine, sequence, b, l));
            }
        }
        persistedBlocks = full;
        store.putAll(records).exceptionally(e -> {
            // Persistence only shortens a resume; generation goes on without it.
            System.err.println("generated KV blocks not persisted: " + e.getMessage());
            return null;
        });
    }
}
