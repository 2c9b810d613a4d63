package io.kvasir.engine.moe;

import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.runtime.DecodeLoop;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.engine.sampling.SampledToken;
import io.kvasir.engine.sampling.SamplingParams;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Read-ME lookahead in ordinary decode: queued sequences' next experts (the router's choice for the token each
 * will run next) reach the expert caches, so Belady evicts by use across passes. The trace loops over C + 1 experts
 * with room for C: sequences that each run one decode pass, queued so their experts come round in turn, one at a
 * time (batch 1). Without lookahead Belady sees nothing beyond the pass and evicts as LRU does, always the expert
 * needed next; with it, it keeps the one coming back soonest. The tokens are those of an engine with every expert
 * resident and the logprobs equal within 1e-4: the lookahead changes what is resident, never what is computed (the
 * bits can still differ between runs in one JVM, as the JIT compiles the vector reductions, by a few 1e-6).
 */
class MoeDecodeLookaheadTest {

    private static final int CAPACITY = 2;
    private static final int ROUNDS = 6;

    @TempDir
    Path dir;

    private Path model;
    private List<int[]> prompts;

    /** Prompts whose first generated token routes to one of the C + 1 most frequent experts, in turn. */
    @BeforeEach
    void loopingTrace() throws Exception {
        ModelConfig config = MoeTinyModels.readMe();
        model = MoeTinyModels.write(dir, config, MoeTinyModels.weights(config, 21));
        List<List<int[]>> byExpert = new ArrayList<>();
        for (int e = 0; e < config.moe().numExperts(); e++) {
            byExpert.add(new ArrayList<>());
        }
        try (InferenceEngine probe = MoeEngineVsReferenceTest.engine(model, WeightOptions.AS_STORED)) {
            PreGatingRouter router = probe.model().weights().moe().router();
            for (int seed = 0; seed < 120; seed++) {
                int[] prompt = MoeEngineVsReferenceTest.tokens(4 + seed % 7, 100 + seed);
                Sequence s = probe.start(prompt, params());
                probe.prefill(s);
                int[] withFirst = Arrays.copyOf(prompt, prompt.length + 1);
                withFirst[prompt.length] = s.generated()[0];
                byExpert.get(router.predict(withFirst)[prompt.length]).add(prompt);
                s.cancel();
            }
        }
        List<List<int[]>> loop = byExpert.stream().sorted(Comparator.comparingInt(l -> -l.size())).limit(CAPACITY + 1).toList();
        prompts = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (List<int[]> group : loop) {
                assertTrue(group.size() >= ROUNDS, "too few probe prompts route to one of the looped experts");
                prompts.add(group.get(round));
            }
        }
    }

    @Test
    void lookaheadInDecodeHitsAtLeastAsOftenAndKeepsTheTokens() throws Exception {
        Trace all = decodeOneByOne(ExpertCacheOptions.ALL_RESIDENT, true);
        Trace without = decodeOneByOne(new ExpertCacheOptions(CAPACITY, EvictionPolicy.BELADY, false), false);
        Trace with = decodeOneByOne(new ExpertCacheOptions(CAPACITY, EvictionPolicy.BELADY, false), true);
        Trace lru = decodeOneByOne(new ExpertCacheOptions(CAPACITY, EvictionPolicy.LRU, false), true);
        assertTrue(with.hitRate >= without.hitRate, "with lookahead " + with.hitRate + " < without " + without.hitRate);
        assertEquals(without.hitRate, lru.hitRate, "without lookahead Belady can only evict as LRU does");
        assertTrue(with.hitRate >= 0.4 && without.hitRate <= 0.1,
                "looping trace: with lookahead " + with.hitRate + ", without " + without.hitRate);
        for (Trace t : List.of(without, with, lru)) {
            assertSameTokens(all.tokens, t.tokens);
        }
    }

    /** The same trace through the decode loop: it hands its waiting sequences to the engine as the lookahead. */
    @Test
    void theDecodeLoopAnnouncesItsQueue() throws Exception {
        Trace all = decodeOneByOne(ExpertCacheOptions.ALL_RESIDENT, true);
        Trace without = decodeOneByOne(new ExpertCacheOptions(CAPACITY, EvictionPolicy.BELADY, false), false);
        WeightOptions options = new WeightOptions(false, new ExpertCacheOptions(CAPACITY, EvictionPolicy.BELADY, false));
        try (InferenceEngine engine = MoeEngineVsReferenceTest.engine(model, options)) {
            List<Sequence> sequences = prefillAll(engine);
            long[] before = counters(engine);
            CountDownLatch ended = new CountDownLatch(sequences.size());
            DecodeLoop.Listener listener = new DecodeLoop.Listener() {
                @Override
                public void token(SampledToken token, String text) {
                }

                @Override
                public void end(Sequence sequence, String error) {
                    ended.countDown();
                }
            };
            try (DecodeLoop loop = new DecodeLoop(engine, 1, sequences.size())) {
                // The engine runs one call at a time: holding it keeps the loop's first pass waiting until the whole
                // trace is queued, as a busy worker's queue would be. (Its first lookahead may still be partial.)
                synchronized (engine) {
                    for (Sequence s : sequences) {
                        assertTrue(loop.submit(s, listener));
                    }
                }
                assertTrue(ended.await(60, TimeUnit.SECONDS));
            }
            double rate = hitRate(before, counters(engine));
            assertTrue(rate >= without.hitRate && rate >= 0.4, "decode loop " + rate + ", engine without lookahead " + without.hitRate);
            assertSameTokens(all.tokens, tokens(sequences));
        }
    }

    private record Trace(double hitRate, List<SampledToken> tokens) {
    }

    private static void assertSameTokens(List<SampledToken> expected, List<SampledToken> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).id(), actual.get(i).id(), "token " + i);
            assertEquals(expected.get(i).logprob(), actual.get(i).logprob(), 1e-4, "logprob of token " + i);
        }
    }

    /** Prefills every prompt, then decodes them one per pass in trace order, the rest queued as lookahead or not. */
    private Trace decodeOneByOne(ExpertCacheOptions cache, boolean lookahead) throws Exception {
        try (InferenceEngine engine = MoeEngineVsReferenceTest.engine(model, new WeightOptions(false, cache))) {
            List<Sequence> sequences = prefillAll(engine);
            long[] before = counters(engine);
            for (int i = 0; i < sequences.size(); i++) {
                engine.decode(List.of(sequences.get(i)), lookahead ? sequences.subList(i + 1, sequences.size()) : List.of());
            }
            return new Trace(hitRate(before, counters(engine)), tokens(sequences));
        }
    }

    private List<Sequence> prefillAll(InferenceEngine engine) {
        List<Sequence> sequences = new ArrayList<>();
        for (int[] p : prompts) {
            Sequence s = engine.start(p, params());
            engine.prefill(s);
            sequences.add(s);
        }
        return sequences;
    }

    /** Every sequence's tokens, in order. */
    private static List<SampledToken> tokens(List<Sequence> sequences) {
        List<SampledToken> out = new ArrayList<>();
        for (Sequence s : sequences) {
            assertTrue(s.isFinished());
            out.addAll(s.sampledTokens());
        }
        return out;
    }

    /** Hits and misses over every MoE layer's cache, as the worker's metrics report them. */
    private static long[] counters(InferenceEngine engine) {
        long hits = 0, misses = 0;
        for (ExpertCache c : engine.model().weights().moe().caches()) {
            hits += c.hits();
            misses += c.misses();
        }
        assertEquals(hits, engine.expertCacheHits());
        assertEquals(misses, engine.expertCacheMisses());
        return new long[]{hits, misses};
    }

    private static double hitRate(long[] before, long[] after) {
        long hits = after[0] - before[0], misses = after[1] - before[1];
        return (double) hits / (hits + misses);
    }

    /** Greedy, two tokens: the first from prefill, the second from exactly one decode pass. */
    private static SamplingParams params() {
        return SamplingParams.builder().temperature(0).maxTokens(2).ignoreEos(true).logprobs(1).build();
    }
}
