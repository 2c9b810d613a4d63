package io.kvasir.engine.pipeline;

import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.KvPrecision;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.Transformer;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.moe.MoeTinyModels;
import io.kvasir.engine.runtime.LoadedModel;
import io.kvasir.engine.testing.TinyModels;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pipeline stages as real processes: every stage after the first is its own JVM started through the entry point
 * of {@code ./kvasir stage} ({@link StageProcesses}), talking over loopback TCP; the first stage drives from this
 * JVM. Greedy decoding through 2 and 3 stages gives the tokens of one process exactly and their logprobs within
 * 1e-4, the engine tests' usual bound: the stages run the same kernels, but a pass is cut into micro-batches, so
 * products and expert groups run over fewer rows and parallel chunks split differently (measured: 1.2e-7 dense,
 * up to 5.4e-6 Read-ME). The stage JVMs are gone after close, and exit by themselves when the process that started
 * them dies.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PipelineProcessesTest {

    private static final int STEPS = 8;
    private static final double LOGPROB_TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    private Vertx vertx;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @ParameterizedTest(name = "{0}, {1} stages")
    @CsvSource({"qwen2,2", "readme,2", "readme,3"})
    void stageProcessesDecodeTheTokensOfOneProcess(String form, int stages) throws Exception {
        ModelConfig config = form.equals("qwen2") ? TinyModels.qwen2() : MoeTinyModels.readMe();
        Path model = MoeTinyModels.write(dir, config,
                form.equals("qwen2") ? TinyModels.weights(config, 9) : MoeTinyModels.weights(config, 9));
        int[][] prompts = {tokens(5, 1), tokens(40, 2), tokens(12, 3), tokens(1, 4), tokens(23, 5)};

        PipelineDriver one = new PipelineDriver(new PipelineStage(transformer(model), new LayerRange(0, config.numLayers())), null, 1);
        Greedy expected = Greedy.decode(one, prompts, STEPS, config.vocabSize());

        List<LayerRange> ranges = LayerRange.split(config.numLayers(), stages);
        StageProcesses processes = StageProcesses.start(model, ranges, List.of(), 8L << 20, 256);
        List<Process> started = processes.processes();
        assertEquals(stages - 1, started.size());
        Greedy actual;
        try (processes) {
            StageClient next = StageClient.connect(vertx, "127.0.0.1", processes.firstPort())
                    .toCompletionStage().toCompletableFuture().join();
            try (PipelineDriver pipeline = new PipelineDriver(new PipelineStage(transformer(model), ranges.getFirst()), next, stages)) {
                actual = Greedy.decode(pipeline, prompts, STEPS, config.vocabSize());
            }
        }
        for (Process p : started) {
            assertFalse(p.isAlive(), "stage process " + p.pid() + " still running after close");
        }
        for (int s = 0; s < prompts.length; s++) {
            assertArrayEquals(expected.tokens[s], actual.tokens[s], "greedy tokens of sequence " + s);
            for (int t = 0; t <= STEPS; t++) {
                assertEquals(expected.logprobs[s][t], actual.logprobs[s][t], LOGPROB_TOLERANCE, "sequence " + s + " token " + t);
            }
        }
    }

    @Test
    void stagesExitWhenTheirDriverDies() throws Exception {
        ModelConfig config = TinyModels.qwen2();
        Path model = MoeTinyModels.write(dir, config, TinyModels.weights(config, 9));
        Process driver = new ProcessBuilder("sleep", "600").start();
        try (StageProcesses processes = StageProcesses.start(model, LayerRange.split(config.numLayers(), 2), List.of(),
                8L << 20, 256, driver.pid())) {
            Process stage = processes.processes().getFirst();
            assertTrue(stage.isAlive());
            driver.destroyForcibly().waitFor();
            assertTrue(stage.waitFor(60, TimeUnit.SECONDS), "the stage outlived its driver");
        } finally {
            driver.destroyForcibly();
        }
    }

    /** Greedy tokens and their logprobs, per sequence: the first from prefill, then one per decode step. */
    private record Greedy(int[][] tokens, double[][] logprobs) {

        static Greedy decode(PipelineDriver pipeline, int[][] prompts, int steps, int vocab) {
            int n = prompts.length;
            int[][] tokens = new int[n][steps + 1];
            double[][] logprobs = new double[n][steps + 1];
            int[] lengths = new int[n];
            List<StageChunk> pass = new ArrayList<>();
            for (int s = 0; s < n; s++) {
                pass.add(new StageChunk(s, 0, prompts[s], false));
                lengths[s] = prompts[s].length;
            }
            for (int step = 0; step <= steps; step++) {
                float[] logits = pipeline.forward(pass);
                List<StageChunk> next = new ArrayList<>();
                for (int s = 0; s < n; s++) {
                    int token = argmax(logits, s * vocab, vocab);
                    tokens[s][step] = token;
                    logprobs[s][step] = logprob(logits, s * vocab, vocab, token);
                    next.add(new StageChunk(s, lengths[s]++, new int[]{token}, false));
                }
                pass = next;
            }
            return new Greedy(tokens, logprobs);
        }
    }

    private Transformer transformer(Path model) throws Exception {
        LoadedModel loaded = LoadedModel.load(model, WeightOptions.AS_STORED);
        open.add(loaded);
        ModelConfig c = loaded.config();
        return new Transformer(c, loaded.weights(), new KvCache(c.numLayers(), c.numKvHeads(), c.headDim(), 64, KvPrecision.F32));
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

    /** log softmax of {@code x[off..off+n)} at {@code token}, in double. */
    private static double logprob(float[] x, int off, int n, int token) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(x[off + i] - max);
        }
        return x[off + token] - max - Math.log(sum);
    }

    private static int[] tokens(int n, long seed) {
        return new SplittableRandom(seed).ints(n, 0, TinyModels.VOCAB_SIZE).toArray();
    }
}
