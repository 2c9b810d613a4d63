package io.kvasir.engine.runtime;

import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.model.format.SafetensorsWriter;
import io.kvasir.engine.sampling.SampledToken;
import io.kvasir.engine.sampling.SamplingParams;
import io.kvasir.engine.tensor.DType;
import io.kvasir.engine.testing.TinyModels;
import io.kvasir.engine.tokenizer.TokenizerGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Temporal fusion: sequences sharing forwards produce exactly what they produce alone, one forward per iteration. */
class DecodeLoopTest {

    private static final int REQUESTS = 32;

    @TempDir
    static Path dir;
    private static Path model;

    @BeforeAll
    static void writeModel() throws Exception {
        ModelConfig config = TinyModels.qwen2();
        model = Files.createDirectories(dir.resolve("model"));
        // A long context, so a sequence without max_tokens stays active until the test ends it: with the tiny model's
        // 256 positions it finished within a fraction of a second, racing the test's observation of it.
        com.fasterxml.jackson.databind.node.ObjectNode json = (com.fasterxml.jackson.databind.node.ObjectNode)
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(config.toJson());
        json.put("max_position_embeddings", 1 << 20);
        Files.writeString(model.resolve("config.json"), json.toString());
        SafetensorsWriter.write(model.resolve("model.safetensors"), TinyModels.weights(config, 11), DType.F32, Map.of());
        TokenizerGenerator.write(model, config.vocabSize());
    }

    private static InferenceEngine engine() throws Exception {
        return new InferenceEngine(LoadedModel.load(model, WeightOptions.AS_STORED),
                new EngineOptions(64, 64L << 20, io.kvasir.engine.kv.KvPrecision.F32, WeightOptions.AS_STORED));
    }

    private record Request(int[] prompt, SamplingParams params, int arrivalIteration) {}

    private static List<Request> requests() {
        SplittableRandom r = new SplittableRandom(5);
        List<Request> out = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            int[] prompt = new int[1 + r.nextInt(140)];
            for (int t = 0; t < prompt.length; t++) {
                prompt[t] = r.nextInt(TinyModels.VOCAB_SIZE - 1);
            }
            SamplingParams params = SamplingParams.builder().temperature(0).logprobs(2)
                    .maxTokens(1 + r.nextInt(60)).ignoreEos(true).build();
            out.add(new Request(prompt, params, r.nextInt(40)));
        }
        return out;
    }

    private static int[] alone(InferenceEngine engine, Request q) {
        Sequence s = engine.start(q.prompt, q.params);
        engine.prefill(s);
        while (!s.isFinished()) {
            engine.decode(List.of(s));
        }
        return s.generated();
    }

    @Test
    void fusedRequestsArrivingAtRandomTimesMatchRunningAlone() throws Exception {
        List<Request> requests = requests();
        List<int[]> expected = new ArrayList<>();
        try (InferenceEngine engine = engine()) {
            for (Request q : requests) {
                expected.add(alone(engine, q));
            }
        }
        try (InferenceEngine engine = engine(); DecodeLoop loop = new DecodeLoop(engine, 64, REQUESTS)) {
            int freeBefore = engine.cache().pool().freeBlocks();
            long forwardsBefore = engine.decodeForwards();
            List<CompletableFuture<int[]>> results = new ArrayList<>();
            List<Request> byArrival = new ArrayList<>(requests);
            byArrival.sort((a, b) -> Integer.compare(a.arrivalIteration, b.arrivalIteration));
            List<CompletableFuture<int[]>> inOrder = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                inOrder.add(new CompletableFuture<>());
            }
            // Prefill up front, so an arrival costs the loop no waiting: prefilling on this thread while the loop
            // decodes let the loop run ahead of the arrivals on a busy machine, and how much got fused became a race.
            Map<Request, Sequence> prefilled = new java.util.IdentityHashMap<>();
            for (Request q : byArrival) {
                Sequence s = engine.start(q.prompt, q.params);
                engine.prefill(s);
                prefilled.put(q, s);
            }
            for (Request q : byArrival) {
                // Arrive at the chosen iteration, or at once when the loop has nothing left to iterate on.
                while (loop.iterations() < q.arrivalIteration && loop.activeSequences() + loop.waitingSequences() > 0) {
                    LockSupport.parkNanos(50_000);
                }
                Sequence s = prefilled.get(q);
                CompletableFuture<int[]> done = inOrder.get(requests.indexOf(q));
                assertTrue(loop.submit(s, new DecodeLoop.Listener() {
                    @Override
                    public void token(SampledToken token, String text) {
                    }

                    @Override
                    public void end(Sequence sequence, String error) {
                        assertNull(error);
                        done.complete(sequence.generated());
                    }
                }));
            }
            results.addAll(inOrder);
            long generatedAfterFirst = 0;
            for (int i = 0; i < REQUESTS; i++) {
                int[] got = results.get(i).get(60, TimeUnit.SECONDS);
                assertArrayEquals(expected.get(i), got, "request " + i);
                generatedAfterFirst += got.length - 1;
            }
            assertEquals(loop.iterations(), engine.decodeForwards() - forwardsBefore, "one forward per iteration");
            assertEquals(generatedAfterFirst, loop.sequenceSteps(), "each forward covers every active sequence");
            // Arrivals spread over 40 iterations and up to 60 tokens each: about 10 sequences a forward when arrivals
            // are on time; the bound leaves room for a descheduled test thread and still fails without fusion.
            assertTrue(loop.sequenceSteps() > 3 * loop.iterations(), "sequences were fused: "
                    + loop.sequenceSteps() + " steps in " + loop.iterations() + " forwards");
            assertEquals(freeBefore, engine.cache().pool().freeBlocks(), "every finished sequence freed its blocks");
        }
    }

    @Test
    void cancelledSequenceStopsAndFreesItsBlocks() throws Exception {
        try (InferenceEngine engine = engine(); DecodeLoop loop = new DecodeLoop(engine, 4, 4)) {
            int freeBefore = engine.cache().pool().freeBlocks();
            Sequence s = engine.start(new int[]{5, 6, 7}, SamplingParams.builder().temperature(0)
                    .maxTokens(100_000).ignoreEos(true).build());
            engine.prefill(s);
            CompletableFuture<Integer> ended = new CompletableFuture<>();
            loop.submit(s, new DecodeLoop.Listener() {
                @Override
                public void token(SampledToken token, String text) {
                }

                @Override
                public void end(Sequence sequence, String error) {
                    ended.complete(sequence.generated().length);
                }
            });
            while (loop.iterations() < 3) {
                LockSupport.parkNanos(200_000);
            }
            loop.cancel(s);
            assertTrue(ended.get(10, TimeUnit.SECONDS) < 100_000);
            assertEquals(freeBefore, engine.cache().pool().freeBlocks());
        }
    }

    @Test
    void aFullQueueRefusesInsteadOfWaiting() throws Exception {
        try (InferenceEngine engine = engine(); DecodeLoop loop = new DecodeLoop(engine, 1, 1)) {
            SamplingParams endless = SamplingParams.builder().temperature(0).maxTokens(100_000).ignoreEos(true).build();
            DecodeLoop.Listener ignore = new DecodeLoop.Listener() {
                @Override
                public void token(SampledToken token, String text) {
                }

                @Override
                public void end(Sequence sequence, String error) {
                }
            };
            Sequence[] s = new Sequence[3];
            for (int i = 0; i < 3; i++) {
                s[i] = engine.start(new int[]{5 + i, 6, 7}, endless);
                engine.prefill(s[i]);
            }
            assertTrue(loop.submit(s[0], ignore));
            while (loop.activeSequences() < 1) {
                LockSupport.parkNanos(200_000);
            }
            assertTrue(loop.submit(s[1], ignore), "one may wait for the single slot");
            assertTrue(!loop.submit(s[2], ignore), "a second waiter is refused (the worker answers 429)");
            s[2].cancel();
        }
    }

    /** Parks KV in memory, the way a decode worker parks it in the store. */
    private static final class ParkedKv implements DecodeLoop.Preemption {
        private final InferenceEngine engine;
        private final Map<Sequence, List<byte[][]>> parked = new java.util.HashMap<>();

        ParkedKv(InferenceEngine engine) {
            this.engine = engine;
        }

        @Override
        public void save(Sequence s) {
            List<byte[][]> blocks = new ArrayList<>();
            int layers = engine.model().config().numLayers();
            for (int b = 0; b * 64 < s.kvTokens(); b++) {
                for (int l = 0; l < layers; l++) {
                    int bytes = engine.cache().blockBytes(InferenceEngine.tokensIn(s, b));
                    java.nio.ByteBuffer k = java.nio.ByteBuffer.allocate(bytes);
                    java.nio.ByteBuffer v = java.nio.ByteBuffer.allocate(bytes);
                    engine.exportKv(s, b, l, k, v);
                    blocks.add(new byte[][]{k.array(), v.array()});
                }
            }
            parked.put(s, blocks);
        }

        @Override
        public void load(Sequence s) {
            List<byte[][]> blocks = parked.remove(s);
            int layers = engine.model().config().numLayers();
            for (int i = 0; i < blocks.size(); i++) {
                engine.importKv(s, i / layers, i % layers, java.nio.ByteBuffer.wrap(blocks.get(i)[0]),
                        java.nio.ByteBuffer.wrap(blocks.get(i)[1]));
            }
        }
    }

    @Test
    void underKvPressureSequencesArePreemptedAndResumeWithTheSameOutput() throws Exception {
        SamplingParams params = SamplingParams.builder().temperature(0).maxTokens(150).ignoreEos(true).build();
        List<int[]> prompts = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(9);
        for (int i = 0; i < 6; i++) {
            int[] p = new int[40 + 4 * i];
            for (int t = 0; t < p.length; t++) {
                p[t] = r.nextInt(TinyModels.VOCAB_SIZE - 1);
            }
            prompts.add(p);
        }
        List<int[]> expected = new ArrayList<>();
        try (InferenceEngine engine = engine()) {
            for (int[] p : prompts) {
                expected.add(alone(engine, new Request(p, params, 0)));
            }
        }
        // 12 blocks hold three of these sequences at full length; six run, so some must wait parked.
        long blockBytes = 2L * 2 * 64 * 2 * 16 * 4;
        try (InferenceEngine engine = new InferenceEngine(LoadedModel.load(model, WeightOptions.AS_STORED),
                new EngineOptions(64, 12 * blockBytes, io.kvasir.engine.kv.KvPrecision.F32, WeightOptions.AS_STORED));
             DecodeLoop loop = new DecodeLoop(engine, 8, 8, new ParkedKv(engine))) {
            assertEquals(12, engine.cache().pool().capacity());
            List<CompletableFuture<int[]>> results = new ArrayList<>();
            // All six prefilled (one block each) before any is submitted: prefilling between submissions let the loop
            // finish the first sequences before the last arrived, and then nothing had to be preempted.
            List<Sequence> sequences = new ArrayList<>();
            for (int[] p : prompts) {
                Sequence s = engine.start(p, params);
                engine.prefill(s);
                sequences.add(s);
            }
            for (Sequence s : sequences) {
                CompletableFuture<int[]> done = new CompletableFuture<>();
                results.add(done);
                loop.submit(s, new DecodeLoop.Listener() {
                    @Override
                    public void token(SampledToken token, String text) {
                    }

                    @Override
                    public void end(Sequence sequence, String error) {
                        if (error != null) {
                            done.completeExceptionally(new AssertionError(error));
                        } else {
                            done.complete(sequence.generated());
                        }
                    }
                });
            }
            for (int i = 0; i < prompts.size(); i++) {
                assertArrayEquals(expected.get(i), results.get(i).get(60, TimeUnit.SECONDS), "sequence " + i);
            }
            assertTrue(loop.preemptions() > 0, "memory pressure preempted sequences");
            assertEquals(12, engine.cache().pool().freeBlocks());
        }
    }
}
