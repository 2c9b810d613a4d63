package io.kvasir.engine.runtime;

import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.AttentionPlanner;
import io.kvasir.engine.attention.sparse.S2Sharding;
import io.kvasir.engine.attention.sparse.SparseAttentionSetup;
import io.kvasir.engine.kv.BlockTable;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.SequenceChunk;
import io.kvasir.engine.model.Transformer;
import io.kvasir.engine.moe.MixtureOfExperts;
import io.kvasir.engine.moe.PreGatingRouter;
import io.kvasir.engine.sampling.SampledToken;
import io.kvasir.engine.sampling.SamplerState;
import io.kvasir.engine.sampling.SamplingParams;

import java.nio.ByteBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Runs sequences on one model: chunked prefill, batched decode steps over many sequences of different lengths,
 * and scoring. Calls are serialized (one forward pass at a time); callers batch by passing many sequences.
 */
public final class InferenceEngine implements AutoCloseable {

    private final LoadedModel model;
    private final KvCache cache;
    private final Transformer transformer;
    /** Full-length sequences the KV cache is ever sized for. */
    private static final int MAX_FULL_CONTEXTS = 64;

    /** Queued sequences whose next expert a decode pass announces, at most (the Read-ME lookahead window). */
    public static final int MAX_LOOKAHEAD = 64;

    private final EngineOptions options;
    private final MixtureOfExperts experts;       // null for dense models
    private final PreGatingRouter router;         // null unless Read-ME
    /** The queued sequences announced by the last decode pass, each with its previewed next expert. */
    private Map<Sequence, NextExpert> previews = new HashMap<>();
    private long decodeForwards;

    /** A queued sequence's expert for its last token, valid while it has {@code generated} tokens. */
    private record NextExpert(int generated, int expert) {
    }

    public InferenceEngine(LoadedModel model, EngineOptions options) {
        ModelConfig c = model.config();
        this.model = model;
        this.options = options;
        AttentionPlanner planner = SparseAttentionSetup.planner(model.path(), c, options.sparseConfig());
        // S2-sharded layers keep K/V per KV head, so the blocks their heads never read again are released.
        this.cache = new KvCache(c.numLayers(), c.numKvHeads(), c.headDim(), kvBlocks(c, options), options.kvPrecision(),
                layer -> planner instanceof S2Sharding s2 && s2.shardsLayer(layer, c.numHeads()));
        this.transformer = new Transformer(c, model.weights(), cache, planner);
        this.experts = model.weights().moe();
        this.router = experts == null ? null : experts.router();
    }

    /**
     * The memory budget in blocks, but never more than {@link #MAX_FULL_CONTEXTS} full-length sequences need: the
     * cache is allocated up front, and a small model must not take a gigabyte it can never fill.
     */
    private static int kvBlocks(ModelConfig c, EngineOptions options) {
        long contextBlocks = (c.maxPositionEmbeddings() + KvCache.BLOCK_TOKENS - 1) / KvCache.BLOCK_TOKENS;
        int budget = KvCache.blocksForBytes(options.kvCacheBytes(), c.numLayers(), c.numKvHeads(), c.headDim(), options.kvPrecision());
        return (int) Math.min(budget, contextBlocks * MAX_FULL_CONTEXTS);
    }

    public LoadedModel model() {
        return model;
    }

    public KvCache cache() {
        return cache;
    }

    /** A new sequence for {@code prompt}; nothing is computed until {@link #prefill}. */
    public Sequence start(int[] prompt, SamplingParams params) {
        return start(prompt, params, null);
    }

    private Sequence start(int[] prompt, SamplingParams params, SamplerState samplerState) {
        ModelConfig c = model.config();
        for (int id : prompt) {
            if (id < 0 || id >= c.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + c.vocabSize() + ")");
            }
        }
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        if (prompt.length >= c.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens; this model's context length is "
                    + c.maxPositionEmbeddings());
        }
        return new Sequence(prompt, params, samplerState, new BlockTable(cache), model.tokenizer(), c);
    }

    /**
     * Computes the prompt's KV cache chunk by chunk and samples the first generated token. On failure (a full KV
     * cache) the sequence is cancelled, so its blocks return to the pool.
     */
    public void prefill(Sequence s) {
        prefill(s, (AttentionPlan) null);
    }

    /**
     * {@link #prefill(Sequence)} where every layer attends by {@code plan} (null: dense). Returns the logits the
     * first token was sampled from, so callers can read any token's probability, not only the sampled one's.
     */
    public float[] prefill(Sequence s, AttentionPlan plan) {
        return prefill(s, plan, null, kvTokens -> { });
    }

    /**
     * {@link #prefill(Sequence)} where {@code planner} chooses every layer's plan from the chunk's own queries and
     * keys instead of the engine's configured sparse attention (benchmarks compare methods on one engine this way).
     */
    public float[] prefill(Sequence s, AttentionPlanner planner) {
        return prefill(s, null, planner, kvTokens -> { });
    }

    /**
     * Dense {@link #prefill(Sequence)} starting after any prefix already in the sequence's cache
     * ({@link #reserveCachedPrefix}); {@code afterChunk} sees the cached length after every chunk, before the
     * first token is sampled, so a caller can publish finished KV blocks while the rest is computed.
     */
    public void prefillPublishing(Sequence s, IntConsumer afterChunk) {
        prefill(s, null, null, afterChunk);
    }

    private synchronized float[] prefill(Sequence s, AttentionPlan plan, AttentionPlanner planner, IntConsumer afterChunk) {
        int[] prompt = s.prompt();
        announce(List.of());
        try {
            float[] logits = null;
            for (int from = s.table().tokens(); from < prompt.length; from += options.prefillChunk()) {
                int[] chunk = Arrays.copyOfRange(prompt, from, Math.min(prompt.length, from + options.prefillChunk()));
                logits = transformer.forward(List.of(new SequenceChunk(s.table(), chunk, false, plan, planner)));
                afterChunk.accept(s.table().tokens());
            }
            s.accept(logits, 0);
            return logits;
        } catch (RuntimeException e) {
            s.cancel();
            throw e;
        }
    }

    /**
     * Makes room for the first {@code tokens} prompt positions of a new sequence, whose K/V the caller then fills
     * with {@link #importKv} (a prefix cached elsewhere); {@link #prefill} computes only the rest.
     */
    public synchronized void reserveCachedPrefix(Sequence s, int tokens) {
        if (s.table().tokens() != 0 || tokens < 0 || tokens >= s.prompt().length) {
            throw new IllegalArgumentException("a cached prefix of " + tokens + " tokens does not fit a fresh prompt of "
                    + s.prompt().length);
        }
        s.table().append(tokens);
        if (router != null) {
            router.adopt(s.table(), Arrays.copyOf(s.prompt(), tokens));   // the router continues after the prefix
        }
    }

    /**
     * A sequence whose prompt was prefilled elsewhere: room for the prompt's K/V (the caller fills it with
     * {@link #importKv}) and {@code first} taken as its first generated token, stop rules applied. If that token
     * already finishes it, no KV is held. {@code samplerState} (the prefilling sequence's, after its first token)
     * continues that sequence's random stream; null starts a fresh one from {@code params}.
     */
    public synchronized Sequence resume(int[] prompt, SamplingParams params, SampledToken first, SamplerState samplerState) {
        Sequence s = start(prompt, params, samplerState);
        if (first.id() < 0 || first.id() >= model.config().vocabSize()) {
            throw new IllegalArgumentException("first token " + first.id() + " is outside the vocabulary");
        }
        s.table().append(prompt.length);
        if (router != null) {
            router.adopt(s.table(), prompt);         // its decode passes route after the prompt the router never ran
        }
        s.accept(first);
        return s;
    }

    /**
     * Frees the KV blocks of an unfinished sequence that the caller has saved elsewhere (preemption under memory
     * pressure); {@link #restoreKv} makes room again. Returns the positions it held.
     */
    public synchronized int suspendKv(Sequence s) {
        int tokens = s.table().tokens();
        s.table().release();
        return tokens;
    }

    /** Makes room for {@code tokens} positions of a suspended sequence; the caller fills them with {@link #importKv}. */
    public synchronized void restoreKv(Sequence s, int tokens) {
        if (s.table().tokens() != 0 || s.isFinished()) {
            throw new IllegalStateException("only a suspended sequence can be restored");
        }
        s.table().append(tokens);
    }

    /** Writes one layer of one logical block of {@code s} (its filled positions) to {@code k} and {@code v}. */
    public void exportKv(Sequence s, int logicalBlock, int layer, ByteBuffer k, ByteBuffer v) {
        cache.layer(layer).exportBlock(s.table().physicalBlock(logicalBlock), tokensIn(s, logicalBlock), k, v);
    }

    /** Fills one layer of one logical block of {@code s} from bytes written by {@link #exportKv}. */
    public void importKv(Sequence s, int logicalBlock, int layer, ByteBuffer k, ByteBuffer v) {
        cache.layer(layer).importBlock(s.table().physicalBlock(logicalBlock), tokensIn(s, logicalBlock), k, v);
    }

    /** Filled positions of a logical block of {@code s}. */
    public static int tokensIn(Sequence s, int logicalBlock) {
        int tokens = s.table().tokens() - logicalBlock * KvCache.BLOCK_TOKENS;
        if (logicalBlock < 0 || tokens <= 0) {
            throw new IllegalArgumentException("block " + logicalBlock + " is beyond the " + s.table().tokens()
                    + " cached positions");
        }
        return Math.min(KvCache.BLOCK_TOKENS, tokens);
    }

    /** One batched forward over the last token of every unfinished sequence; each gets one new token. */
    public void decode(List<Sequence> sequences) {
        decode(sequences, List.of());
    }

    /**
     * {@link #decode(List)} knowing which sequences will join later passes, in the order they will join (a decode
     * loop's preempted and waiting ones, the first {@link #MAX_LOOKAHEAD} of them). On a Read-ME model the
     * pre-gating router gives each one's expert for its last token before it runs, and the expert caches get them
     * as the requests after this pass: Belady evicts by next use across passes instead of within this pass only,
     * and the last layer prefetches the first ones. The active sequences' own next experts are known only once
     * this pass sampled their tokens; within the pass every layer already sees them all. Other models ignore it.
     */
    public synchronized void decode(List<Sequence> sequences, List<Sequence> queued) {
        announceLookahead(queued);
        List<Sequence> live = new ArrayList<>(sequences.size());
        List<SequenceChunk> chunks = new ArrayList<>(sequences.size());
        for (Sequence s : sequences) {
            if (!s.isFinished()) {
                live.add(s);
                chunks.add(new SequenceChunk(s.table(), new int[]{s.lastToken()}, false, null));
            }
        }
        if (live.isEmpty()) {
            return;
        }
        float[] logits = transformer.forward(chunks);
        decodeForwards++;
        int vocab = model.config().vocabSize();
        for (int i = 0; i < live.size(); i++) {
            live.get(i).accept(logits, i * vocab);
        }
    }

    /** Expert-cache hits since load, every MoE layer together (0 for dense models): kvasir_expert_cache_hits_total. */
    public long expertCacheHits() {
        return experts == null ? 0 : experts.hits();
    }

    /** Expert-cache misses (conversions from the checkpoint) since load: kvasir_expert_cache_misses_total. */
    public long expertCacheMisses() {
        return experts == null ? 0 : experts.misses();
    }

    /** Whether {@link #decode(List, List)} uses the queued sequences (a Read-ME model); callers may skip listing them. */
    public boolean takesLookahead() {
        return router != null;
    }

    private void announceLookahead(List<Sequence> queued) {
        if (router == null) {
            return;
        }
        Map<Sequence, NextExpert> kept = new HashMap<>();
        List<int[]> passes = new ArrayList<>();
        for (Sequence s : queued) {
            if (kept.size() == MAX_LOOKAHEAD) {
                break;
            }
            if (s.isFinished() || s.generatedCount() == 0) {
                continue;
            }
            NextExpert next = previews.get(s);
            if (next == null || next.generated() != s.generatedCount()) {
                if (s.kvTokens() == 0) {
                    continue;        // preempted: its KV, and so its place in the router's history, is parked
                }
                next = new NextExpert(s.generatedCount(), router.preview(s.table(), new int[]{s.lastToken()})[0]);
            }
            kept.put(s, next);
            passes.add(new int[]{next.expert()});       // one pass each keeps the order they join in
        }
        previews = kept;
        experts.announce(passes);
    }

    /** Replaces the experts' lookahead (Read-ME models): passes other than decode know no queue. */
    private void announce(List<int[]> passes) {
        if (router != null) {
            previews = new HashMap<>();
            experts.announce(passes);
        }
    }

    /** Batched forward passes run by {@link #decode} so far: one per decode step, whatever the batch size. */
    public synchronized long decodeForwards() {
        return decodeForwards;
    }

    /** Logits after every prefix of {@code tokens}: row i is the distribution of the token after tokens[0..i]. */
    public synchronized float[][] score(int[] tokens) {
        announce(List.of());
        BlockTable table = new BlockTable(cache);
        int vocab = model.config().vocabSize();
        float[][] rows = new float[tokens.length][];
        try {
            for (int from = 0; from < tokens.length; from += options.prefillChunk()) {
                int[] chunk = Arrays.copyOfRange(tokens, from, Math.min(tokens.length, from + options.prefillChunk()));
                float[] logits = transformer.forward(List.of(new SequenceChunk(table, chunk, true, null)));
                for (int i = 0; i < chunk.length; i++) {
                    rows[from + i] = Arrays.copyOfRange(logits, i * vocab, (i + 1) * vocab);
                }
            }
        } finally {
            table.release();
        }
        return rows;
    }

    @Override
    public void close() throws Exception {
        model.close();
    }
}
