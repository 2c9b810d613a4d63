package io.kvasir.decode;

import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.runtime.DecodeLoop;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.engine.sampling.SamplingParams;
import io.kvasir.kvstore.BlockHashes;
import io.kvasir.kvstore.ChainHash;
import io.kvasir.kvstore.KvBlockKey;
import io.kvasir.kvstore.KvBlockRecord;
import io.kvasir.kvstore.KvStoreClient;
import io.kvasir.kvstore.SequenceKv;
import io.kvasir.kvstore.handoff.Handoff;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns handoffs into running sequences: checks the handoff, pulls every block of the prompt from the store in
 * one parallel batch, rebuilds the sequence around the handed-over first token and queues it on the fusion loop.
 */
public final class DecodeService {

    private final InferenceEngine engine;
    private final KvStoreClient store;
    private final DecodeLoop loop;
    private final String model;
    private final AtomicLong pulledRecords = new AtomicLong();
    private final StorePreemption preemption;

    DecodeService(InferenceEngine engine, KvStoreClient store, DecodeLoop loop, String modelFingerprint,
                  StorePreemption preemption) {
        this.engine = engine;
        this.store = store;
        this.loop = loop;
        this.model = modelFingerprint;
        this.preemption = preemption;
    }

    /**
     * The sequence, already queued; null when the loop's queue is full (the caller answers 429).
     *
     * @throws IllegalArgumentException the handoff does not describe its own prompt, or names another model
     * @throws UnknownBlockException    a block it names is not in the store
     */
    public Sequence admit(Handoff h, SamplingParams params, DecodeLoop.Listener listener) {
        check(h);
        int layers = engine.model().config().numLayers();
        List<KvBlockKey> keys = new ArrayList<>();
        for (String hash : h.blockHashes()) {
            for (int l = 0; l < layers; l++) {
                keys.add(KvBlockKey.full(model, ChainHash.parse(hash), l));
            }
        }
        if (h.partialBlock()) {
            for (int l = 0; l < layers; l++) {
                keys.add(KvBlockKey.partial(model, h.requestId(), l));
            }
        }
        // Validates the token ids; continues the prefill's random stream, so seeded sampling matches one process.
        Sequence s = engine.resume(h.promptTokens(), params, h.firstToken(), h.sampler());
        try {
            Map<KvBlockKey, KvBlockRecord> records = store.getAll(keys);
            for (KvBlockKey key : keys) {
                if (!records.containsKey(key)) {
                    throw new UnknownBlockException("KV block " + (key.isPartial() ? "of request " + key.requestId()
                            : key.hash()) + " layer " + key.layer() + " is not in the store");
                }
            }
            pulledRecords.addAndGet(records.size());
            if (!s.isFinished()) {
                for (int i = 0; i < keys.size(); i++) {
                    SequenceKv.importInto(engine, s, i / layers, i % layers, records.get(keys.get(i)));
                }
            }
        } catch (RuntimeException e) {
            s.cancel();
            throw e;
        }
        GeneratedKvPersister persister = new GeneratedKvPersister(listener, engine, store, model, h.promptTokens(),
                preemption::forget);
        persister.attach(s);
        preemption.register(s, h.requestId(), h.promptTokens());
        if (!loop.submit(s, persister)) {
            preemption.forget(s);
            s.cancel();
            return null;
        }
        return s;
    }

    private void check(Handoff h) {
        if (h.requestId() == null || h.promptTokens() == null || h.blockHashes() == null || h.firstToken() == null) {
            throw new IllegalArgumentException("the handoff needs request_id, prompt_tokens, block_hashes and first_token");
        }
        if (!model.equals(h.model())) {
            throw new IllegalArgumentException("the handoff is for model " + h.model() + "; this worker serves " + model);
        }
        int[] prompt = h.promptTokens();
        if (h.tokenCount() != prompt.length || h.partialBlock() != (prompt.length % KvCache.BLOCK_TOKENS != 0)
                || h.blockHashes().size() != prompt.length / KvCache.BLOCK_TOKENS) {
            throw new IllegalArgumentException("the handoff's token count, blocks and prompt disagree");
        }
        List<ChainHash> expected = BlockHashes.of(prompt);
        for (int b = 0; b < expected.size(); b++) {
            ChainHash named = ChainHash.parse(h.blockHashes().get(b));
            if (!named.equals(expected.get(b))) {
                throw new UnknownBlockException("block " + b + " of the handoff (" + named
                        + ") is not the block of its prompt tokens (" + expected.get(b) + ")");
            }
        }
    }

    /** Block records (one layer of one block) pulled from the store, since start. */
    public long pulledRecords() {
        return pulledRecords.get();
    }
}
