package io.kvasir.prefill;

import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.engine.sampling.SamplingParams;
import io.kvasir.kvstore.BlockHashes;
import io.kvasir.kvstore.ChainHash;
import io.kvasir.kvstore.KvBlockKey;
import io.kvasir.kvstore.KvBlockRecord;
import io.kvasir.kvstore.KvStoreClient;
import io.kvasir.kvstore.SequenceKv;
import io.kvasir.kvstore.events.EventBus;
import io.kvasir.kvstore.events.KvEvent;
import io.kvasir.kvstore.handoff.Handoff;

import java.time.Clock;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prefills prompts into the KV store: reuses every stored block of the prompt's prefix, computes the rest chunk
 * by chunk, publishes each chunk's finished blocks (all layers) while the next chunk is computed, samples the first
 * token and returns the handoff.
 */
public final class PrefillService {

    private final InferenceEngine engine;
    private final KvStoreClient store;
    private final String model;
    private final EventBus events;
    private final Clock clock;
    private final AtomicLong computedTokens = new AtomicLong();
    private final AtomicLong cachedTokens = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong storedBlocks = new AtomicLong();
    private final AtomicInteger running = new AtomicInteger();

    public PrefillService(InferenceEngine engine, KvStoreClient store, String modelFingerprint, EventBus events, Clock clock) {
        this.engine = engine;
        this.store = store;
        this.model = modelFingerprint;
        this.events = events;
        this.clock = clock;
    }

    public String model() {
        return model;
    }

    public Handoff prefill(String requestId, int[] prompt, SamplingParams params) {
        running.incrementAndGet();
        try {
            return prefillCounted(requestId, prompt, params);
        } finally {
            running.decrementAndGet();
        }
    }

    private Handoff prefillCounted(String requestId, int[] prompt, SamplingParams params) {
        int layers = engine.model().config().numLayers();
        Sequence s = engine.start(prompt, params);                       // validates the token ids
        List<ChainHash> hashes = BlockHashes.of(prompt);
        // At least one prompt token is always computed: its logits give the first token.
        int reusable = Math.min(hashes.size(), (prompt.length - 1) / KvCache.BLOCK_TOKENS);
        List<KvBlockRecord[]> cached = store.longestPrefix(model, hashes.subList(0, reusable), layers);
        int cachedCount = cached.size() * KvCache.BLOCK_TOKENS;
        List<CompletableFuture<Void>> puts = new ArrayList<>();
        String firstText;
        try {
            engine.reserveCachedPrefix(s, cachedCount);
            for (int b = 0; b < cached.size(); b++) {
                for (int l = 0; l < layers; l++) {
                    SequenceKv.importInto(engine, s, b, l, cached.get(b)[l]);
                }
            }
            int[] published = {cached.size()};
            engine.prefillPublishing(s, kvTokens -> {
                int full = kvTokens / KvCache.BLOCK_TOKENS;
                Map<KvBlockKey, KvBlockRecord> batch = new HashMap<>();
                for (int b = published[0]; b < full; b++) {
                    for (int l = 0; l < layers; l++) {
                        batch.put(KvBlockKey.full(model, hashes.get(b), l), SequenceKv.export(engine, s, b, l));
                    }
                }
                published[0] = full;
                if (kvTokens == prompt.length && kvTokens % KvCache.BLOCK_TOKENS != 0) {
                    for (int l = 0; l < layers; l++) {
                        batch.put(KvBlockKey.partial(model, requestId, l), SequenceKv.export(engine, s, full, l));
                    }
                }
                storedBlocks.addAndGet(batch.size());
                puts.add(store.putAll(batch));
            });
            firstText = s.takeText();
        } finally {
            s.cancel();
        }
        CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).join();
        if (hashes.size() > cached.size()) {
            events.publish(new KvEvent(KvEvent.Kind.STORED, model, hashes.subList(cached.size(), hashes.size()).stream()
                    .map(ChainHash::toString).toList(), -1, "prefill " + requestId, clock.millis()));
        }
        requests.incrementAndGet();
        computedTokens.addAndGet(prompt.length - cachedCount);
        cachedTokens.addAndGet(cachedCount);
        return new Handoff(requestId, model, prompt.clone(), hashes.stream().map(ChainHash::toString).toList(),
                prompt.length % KvCache.BLOCK_TOKENS != 0, prompt.length, cachedCount, s.sampledTokens().getFirst(),
                s.samplerState(), firstText);
    }

    /** Prompt tokens run through the model, since start. */
    public long computedTokens() {
        return computedTokens.get();
    }

    /** Prompt tokens whose KV came from the store instead, since start. */
    public long cachedTokens() {
        return cachedTokens.get();
    }

    /** Requests being prefilled now. */
    public int running() {
        return running.get();
    }

    public long requests() {
        return requests.get();
    }

    /** Block records (one layer of one block) written to the store, since start. */
    public long storedBlocks() {
        return storedBlocks.get();
    }
}
