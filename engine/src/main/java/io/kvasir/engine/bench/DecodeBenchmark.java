package io.kvasir.engine.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.runtime.EngineOptions;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.LoadedModel;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.engine.sampling.SamplingParams;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decode throughput on the bench-shape model: batches of sequences advanced one token per step, as tokens/s and as
 * the weight bytes streamed per second against the measured memory bandwidth (decode reads every matrix once per
 * step, so at batch 1 that is its physical limit).
 */
public final class DecodeBenchmark {

    private static final int PROMPT = 16;
    private static final int WARMUP_STEPS = 4;
    private static final int STEPS = 32;
    private static final int SAMPLES = 5;
    private static final int[] BATCHES = {1, 4, 16};

    private DecodeBenchmark() {
    }

    public static ObjectNode run() throws Exception {
        Path model = BenchModel.ensure();
        double bandwidth = MemoryBandwidth.measureGbs();
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("suite", "decode");
        root.put("bandwidth_gbs", bandwidth);
        ArrayNode results = root.putArray("results");
        for (boolean quantize : new boolean[]{false, true}) {
            try (InferenceEngine engine = new InferenceEngine(LoadedModel.load(model, new WeightOptions(quantize)),
                    EngineOptions.DEFAULTS)) {
                long bytesPerStep = engine.model().weights().matrixBytes();
                for (int batch : BATCHES) {
                    double tokensPerSecond = tokensPerSecond(engine, batch);
                    double weightGbs = tokensPerSecond / batch * bytesPerStep / 1e9;
                    ObjectNode r = results.addObject();
                    r.put("model", "bench");
                    r.put("weights", quantize ? "q8_0" : "bf16");
                    r.put("batch", batch);
                    r.put("tokens_per_s", tokensPerSecond);
                    r.put("weight_gbs", weightGbs);
                    r.put("fraction_of_bandwidth", weightGbs / bandwidth);
                }
            }
        }
        return root;
    }

    /** Median over samples of (batch × steps) / seconds, each sample after its own prefill and warm-up steps. */
    static double tokensPerSecond(InferenceEngine engine, int batch) {
        double[] rates = new double[SAMPLES];
        int vocab = engine.model().config().vocabSize();
        for (int s = 0; s < SAMPLES; s++) {
            List<Sequence> sequences = new ArrayList<>();
            for (int b = 0; b < batch; b++) {
                int[] prompt = BenchModel.prompt(PROMPT + b, vocab);
                Sequence seq = engine.start(prompt, BenchModel.greedyWithoutEnd());
                engine.prefill(seq);
                sequences.add(seq);
            }
            for (int i = 0; i < WARMUP_STEPS; i++) {
                engine.decode(sequences);
            }
            long start = System.nanoTime();
            for (int i = 0; i < STEPS; i++) {
                engine.decode(sequences);
            }
            rates[s] = (double) batch * STEPS / ((System.nanoTime() - start) / 1e9);
            sequences.forEach(Sequence::cancel);
        }
        Arrays.sort(rates);
        return rates[SAMPLES / 2];
    }
}
