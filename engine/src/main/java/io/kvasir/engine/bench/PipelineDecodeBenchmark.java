package io.kvasir.engine.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.KvPrecision;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.Transformer;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.pipeline.LayerRange;
import io.kvasir.engine.pipeline.PipelineDriver;
import io.kvasir.engine.pipeline.PipelineStage;
import io.kvasir.engine.pipeline.StageChunk;
import io.kvasir.engine.pipeline.StageClient;
import io.kvasir.engine.pipeline.StageProcesses;
import io.kvasir.engine.runtime.LoadedModel;
import io.vertx.core.Vertx;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Pipeline-parallel decode on the bench-shape model at batch 16: the same greedy decode through one stage (every
 * layer in this process) and through S stages (the first here, the others as {@code kvasir stage} child processes
 * on loopback TCP, S micro-batches in flight). Tokens/s is the median over samples of (batch × steps) / seconds,
 * each sample after its own prefill and warm-up steps; each S-stage result also says whether its greedy tokens
 * equal the one-stage run's.
 */
public final class PipelineDecodeBenchmark {

    private static final int BATCH = 16;
    private static final int PROMPT = 16;
    private static final int WARMUP_STEPS = 4;
    private static final int STEPS = 32;
    private static final int SAMPLES = 3;
    private static final long KV_BYTES = 64L << 20;
    private static final int STAGE_HEAP_MIB = 1024;

    private PipelineDecodeBenchmark() {
    }

    public static ObjectNode run(int stages) throws Exception {
        Path model = BenchModel.ensure();
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("suite", "decode");
        root.put("mode", "pipeline");
        root.put("cores", Runtime.getRuntime().availableProcessors());
        ArrayNode results = root.putArray("results");
        int[][] oneStageTokens = null;
        for (int s : stages == 1 ? new int[]{1} : new int[]{1, stages}) {
            Run run = measure(model, s);
            ObjectNode r = results.addObject();
            r.put("model", "bench");
            r.put("weights", "bf16");
            r.put("batch", BATCH);
            r.put("stages", s);
            r.put("micro_batches", s);
            r.put("transport", s == 1 ? "none" : "vert.x tcp loopback, one process per stage");
            r.put("tokens_per_s", run.tokensPerSecond);
            if (oneStageTokens == null) {
                oneStageTokens = run.tokens;
            } else {
                r.put("tokens_equal_one_stage", Arrays.deepEquals(oneStageTokens, run.tokens));
            }
        }
        return root;
    }

    private record Run(double tokensPerSecond, int[][] tokens) {
    }

    private static Run measure(Path model, int stages) throws Exception {
        Vertx vertx = Vertx.vertx();
        try (LoadedModel loaded = LoadedModel.load(model, new WeightOptions(false))) {
            ModelConfig c = loaded.config();
            List<LayerRange> ranges = LayerRange.split(c.numLayers(), stages);
            KvCache cache = new KvCache(c.numLayers(), c.numKvHeads(), c.headDim(),
                    KvCache.blocksForBytes(KV_BYTES, c.numLayers(), c.numKvHeads(), c.headDim(), KvPrecision.F32), KvPrecision.F32);
            PipelineStage first = new PipelineStage(new Transformer(c, loaded.weights(), cache), ranges.getFirst());
            StageProcesses later = stages == 1 ? null : StageProcesses.start(model, ranges, List.of(), KV_BYTES, STAGE_HEAP_MIB);
            try {
                StageClient next = later == null ? null : StageClient.connect(vertx, "127.0.0.1", later.firstPort())
                        .toCompletionStage().toCompletableFuture().join();
                try (PipelineDriver pipeline = new PipelineDriver(first, next, stages)) {
                    double[] rates = new double[SAMPLES];
                    int[][] tokens = null;
                    for (int sample = 0; sample < SAMPLES; sample++) {
                        int[][] generated = new int[BATCH][WARMUP_STEPS + STEPS + 1];
                        rates[sample] = sample(pipeline, sample, c.vocabSize(), generated);
                        tokens = tokens == null ? generated : tokens;
                    }
                    Arrays.sort(rates);
                    return new Run(rates[SAMPLES / 2], tokens);
                }
            } finally {
                if (later != null) {
                    later.close();
                }
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    /** One prefill pass, warm-up steps, then timed greedy steps; fills {@code generated}, returns tokens/s. */
    private static double sample(PipelineDriver pipeline, int sample, int vocab, int[][] generated) {
        List<StageChunk> pass = new ArrayList<>();
        int[] lengths = new int[BATCH];
        for (int b = 0; b < BATCH; b++) {
            int[] prompt = BenchModel.prompt(PROMPT + b, vocab);
            pass.add(new StageChunk(id(sample, b), 0, prompt, false));
            lengths[b] = prompt.length;
        }
        List<StageChunk> sequences = List.copyOf(pass);
        long start = 0;
        for (int step = 0; step <= WARMUP_STEPS + STEPS; step++) {
            if (step == WARMUP_STEPS + 1) {
                start = System.nanoTime();           // the passes before were the prefill and the warm-up steps
            }
            float[] logits = pipeline.forward(pass);
            List<StageChunk> next = new ArrayList<>(BATCH);
            for (int b = 0; b < BATCH; b++) {
                int token = argmax(logits, b * vocab, vocab);
                generated[b][step] = token;
                next.add(new StageChunk(id(sample, b), lengths[b]++, new int[]{token}, false));
            }
            pass = next;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pipeline.release(sequences);
        return (double) BATCH * STEPS / seconds;
    }

    private static long id(int sample, int b) {
        return (long) sample * BATCH + b;
    }

    private static int argmax(float[] x, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (x[off + i] > x[off + best]) {
                best = i;
            }
        }
        return best;
    }
}
