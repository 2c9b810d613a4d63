package io.kvasir.gateway.engine;

import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.KvPrecision;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.runtime.EngineOptions;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.LoadedModel;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.engine.sampling.FinishReason;
import io.kvasir.engine.sampling.SampledToken;
import io.kvasir.engine.sampling.SamplingParams;
import io.kvasir.gateway.TinyModelResource;
import io.kvasir.gateway.api.OpenAiException;
import io.kvasir.gateway.backend.Generation;
import io.kvasir.gateway.backend.GenerationInput;
import io.kvasir.gateway.backend.GenerationListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The in-process backend on the engine's decode loop: exact tokens under KV pressure, cancels free blocks, bounds. */
class EngineBackendTest {

    /** K and V of one 64-token block over both layers of the tiny model (2 KV heads × 16 dims, F32). */
    private static final long BLOCK_BYTES = 2L * 2 * KvCache.BLOCK_TOKENS * 2 * 16 * 4;

    @TempDir
    static Path model;

    @BeforeAll
    static void writeModel() throws Exception {
        TinyModelResource.write(model);
    }

    private static InferenceEngine engine(int blocks) throws Exception {
        return new InferenceEngine(LoadedModel.load(model, WeightOptions.AS_STORED),
                new EngineOptions(64, blocks * BLOCK_BYTES, KvPrecision.F32, WeightOptions.AS_STORED));
    }

    private static SamplingParams greedy(int maxTokens) {
        return SamplingParams.builder().temperature(0).maxTokens(maxTokens).ignoreEos(true).build();
    }

    /** Collects one choice's token ids and how it ended. */
    private static final class Collected implements GenerationListener {
        final List<Integer> tokens = new ArrayList<>();
        final CompletableFuture<FinishReason> end = new CompletableFuture<>();

        @Override
        public synchronized void onToken(SampledToken token, String text) {
            tokens.add(token.id());
        }

        @Override
        public void onFinish(FinishReason reason, int cachedPromptTokens) {
            end.complete(reason);
        }

        @Override
        public void onError(OpenAiException error) {
            end.completeExceptionally(error);
        }

        synchronized int[] ids() {
            return tokens.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    @Test
    void sequencesOutgrowingTheCacheArePreemptedAndStillProduceTheirSoloTokens() throws Exception {
        SplittableRandom r = new SplittableRandom(3);
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int[] p = new int[5 + r.nextInt(20)];                           // 5..24 tokens: one block
            Arrays.setAll(p, t -> r.nextInt(300));
            prompts.add(p);
        }
        int maxTokens = 230;
        List<int[]> solo = new ArrayList<>();
        try (InferenceEngine engine = engine(64)) {
            for (int[] p : prompts) {
                Sequence s = engine.start(p, greedy(maxTokens));
                engine.prefill(s);
                while (!s.isFinished()) {
                    engine.decode(List.of(s));
                }
                solo.add(s.generated());
            }
        }
        // Each sequence ends near 250 positions, 4 blocks; the cache has 8, so any three that overlap near their
        // ends must preempt, however the machine's load spaces out their prefills.
        InferenceEngine engine = engine(8);
        try (EngineBackend backend = new EngineBackend(engine, 8, 8)) {
            int free = engine.cache().pool().freeBlocks();
            List<Collected> got = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                Collected c = new Collected();
                backend.submit(new GenerationInput("r" + i, prompts.get(i), greedy(maxTokens)), c);
                got.add(c);
            }
            for (int i = 0; i < got.size(); i++) {
                assertEquals(FinishReason.LENGTH, got.get(i).end.get(120, TimeUnit.SECONDS));
                assertArrayEquals(solo.get(i), got.get(i).ids(), "sequence " + i);
            }
            assertTrue(backend.preemptions() > 0, "the cache was never short, so nothing was tested");
            assertEquals(free, engine.cache().pool().freeBlocks(), "every sequence returned its blocks");
        }
    }

    @Test
    void cancellingFreesTheSequenceAndStopsItsTokens() throws Exception {
        InferenceEngine engine = engine(32);
        try (EngineBackend backend = new EngineBackend(engine, 4, 4)) {
            int free = engine.cache().pool().freeBlocks();
            Collected c = new Collected();
            Generation g = backend.submit(new GenerationInput("c", new int[]{1, 2, 3}, greedy(240)), c);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (c.ids().length < 3 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            g.cancel();
            while (engine.cache().pool().freeBlocks() != free && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(free, engine.cache().pool().freeBlocks());
            assertEquals(0, backend.load().running());
            int after = c.ids().length;
            Thread.sleep(50);
            assertEquals(after, c.ids().length, "tokens arrived after the cancel");
            assertTrue(after < 240);
        }
    }

    @Test
    void aRequestLargerThanTheCacheIsRefusedAndAFullQueueAnswers429() throws Exception {
        InferenceEngine engine = engine(2);
        try (EngineBackend backend = new EngineBackend(engine, 1, 1)) {
            OpenAiException tooBig = assertThrows(OpenAiException.class,
                    () -> backend.submit(new GenerationInput("big", new int[]{1, 2}, greedy(200)), new Collected()));
            assertEquals(400, tooBig.status());
            int refused = 0;
            for (int i = 0; i < 8; i++) {
                try {
                    backend.submit(new GenerationInput("q" + i, new int[]{1, 2, 3}, greedy(100)), new Collected());
                } catch (OpenAiException e) {
                    assertEquals(429, e.status());
                    refused++;
                }
            }
            assertTrue(refused > 0, "a queue of one took eight requests at once");
        }
    }
}
