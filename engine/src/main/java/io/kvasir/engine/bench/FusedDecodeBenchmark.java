package io.kvasir.engine.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.runtime.DecodeLoop;
import io.kvasir.engine.runtime.EngineOptions;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.LoadedModel;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.engine.sampling.SampledToken;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Aggregate decode throughput of the temporal-fusion loop on the bench-shape model: B sequences of different
 * lengths run through one {@link DecodeLoop}, and tokens/s is counted over loop iterations after a warm-up; the
 * median of three samples per batch size.
 */
public final class FusedDecodeBenchmark {

    private static final int[] BATCHES = {1, 2, 4, 8, 16, 32, 64};
    private static final int WARMUP_ITERATIONS = 4;
    private static final int ITERATIONS = 16;
    private static final int ROUNDS = 3;

    private FusedDecodeBenchmark() {
    }

    public static ObjectNode run() throws Exception {
        Path model = BenchModel.ensure();
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("suite", "decode");
        ArrayNode results = root.putArray("results");
        try (InferenceEngine engine = new InferenceEngine(LoadedModel.load(model, WeightOptions.AS_STORED),
                EngineOptions.DEFAULTS)) {
            tokensPerSecond(engine, 4);                                   // compiles the kernels before any sample counts
            tokensPerSecond(engine, 1);
            // Rounds interleave the batch sizes, so a load change on a shared machine hits all of them alike.
            double[][] rates = new double[BATCHES.length][ROUNDS];
            for (int round = 0; round < ROUNDS; round++) {
                for (int i = 0; i < BATCHES.length; i++) {
                    rates[i][round] = tokensPerSecond(engine, BATCHES[i]);
                }
            }
            for (int i = 0; i < BATCHES.length; i++) {
                Arrays.sort(rates[i]);
                double rate = rates[i][ROUNDS / 2];
                ObjectNode r = results.addObject();
                r.put("model", "bench");
                r.put("mode", "fused");
                r.put("weights", "bf16");
                r.put("batch", BATCHES[i]);
                r.put("tokens_per_s", rate);
                System.err.printf("bench decode --fusion: batch %d: %.1f tokens/s (median of %d)%n", BATCHES[i], rate, ROUNDS);
            }
        }
        return root;
    }

    private static double tokensPerSecond(InferenceEngine engine, int batch) throws InterruptedException {
        int vocab = engine.model().config().vocabSize();
        List<Sequence> sequences = new ArrayList<>();
        try (DecodeLoop loop = new DecodeLoop(engine, batch, batch)) {
            for (int b = 0; b < batch; b++) {
                Sequence s = engine.start(BenchModel.prompt(16 + b, vocab), BenchModel.greedyWithoutEnd());
                engine.prefill(s);
                sequences.add(s);
            }
            for (Sequence s : sequences) {
                loop.submit(s, new DecodeLoop.Listener() {
                    @Override
                    public void token(SampledToken token, String text) {
                    }

                    @Override
                    public void end(Sequence sequence, String error) {
                    }
                });
            }
            awaitIterations(loop, WARMUP_ITERATIONS);
            long steps0 = loop.sequenceSteps();
            long t0 = System.nanoTime();
            awaitIterations(loop, WARMUP_ITERATIONS + ITERATIONS);
            long steps = loop.sequenceSteps() - steps0;
            return steps / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private static void awaitIterations(DecodeLoop loop, long iterations) {
        while (loop.iterations() < iterations) {
            LockSupport.parkNanos(100_000);
        }
    }
}
