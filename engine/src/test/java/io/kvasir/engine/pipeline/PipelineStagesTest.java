package io.kvasir.engine.pipeline;

import io.kvasir.engine.kv.BlockTable;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.KvPrecision;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.SequenceChunk;
import io.kvasir.engine.model.Transformer;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.moe.MoeTinyModels;
import io.kvasir.engine.runtime.LoadedModel;
import io.kvasir.engine.testing.TinyModels;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Pipeline stages over Vert.x TCP on loopback, each with its own loaded model and KV cache as separate processes
 * would have: prefill and decode passes through 2 stages (dense Qwen2) and 3 stages (Read-ME, the router running in
 * every stage, replies relayed through the middle one) give the logits of one process within 1e-4 (the engine's own
 * run-to-run spread is about 2e-5); finished sequences free their KV in every stage; a failure downstream reaches
 * the driver.
 */
class PipelineStagesTest {

    @TempDir
    Path dir;

    private Vertx vertx;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<PipelineStage> allStages = new ArrayList<>();

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
    @CsvSource({"qwen2,2", "readme,3"})
    void stagesGiveTheLogitsOfOneProcess(String form, int stages) throws Exception {
        ModelConfig config = form.equals("qwen2") ? TinyModels.qwen2() : MoeTinyModels.readMe();
        Path model = MoeTinyModels.write(dir, config, form.equals("qwen2") ? TinyModels.weights(config, 9) : MoeTinyModels.weights(config, 9));
        PipelineDriver pipeline = pipeline(model, LayerRange.split(config.numLayers(), stages));
        Transformer single = transformer(model);
        List<BlockTable> tables = new ArrayList<>();
        int[][] prompts = {tokens(5, 1), tokens(70, 2), tokens(12, 3), tokens(1, 4), tokens(33, 5)};
        List<StageChunk> prefill = new ArrayList<>();
        List<SequenceChunk> singlePrefill = new ArrayList<>();
        for (int s = 0; s < prompts.length; s++) {
            tables.add(new BlockTable(single.cache()));
            prefill.add(new StageChunk(s, 0, prompts[s], false));
            singlePrefill.add(new SequenceChunk(tables.get(s), prompts[s], false, null));
        }
        float[] expected = single.forward(singlePrefill), actual = pipeline.forward(prefill);
        assertClose(expected, actual);
        int[] lengths = new int[prompts.length];
        for (int s = 0; s < prompts.length; s++) {
            lengths[s] = prompts[s].length;
        }
        int vocab = config.vocabSize();
        for (int step = 0; step < 4; step++) {
            List<StageChunk> decode = new ArrayList<>();
            List<SequenceChunk> singleDecode = new ArrayList<>();
            for (int s = 0; s < prompts.length; s++) {
                int next = argmax(expected, s * vocab, vocab);
                decode.add(new StageChunk(s, lengths[s]++, new int[]{next}, false));
                singleDecode.add(new SequenceChunk(tables.get(s), new int[]{next}, false, null));
            }
            expected = single.forward(singleDecode);
            actual = pipeline.forward(decode);
            assertClose(expected, actual);
        }
        pipeline.release(prefill);
        pipeline.forward(List.of(new StageChunk(99, 0, tokens(3, 6), false)));   // ordered after the release frames
        for (PipelineStage stage : allStages) {
            assertEquals(stage.cache().pool().capacity() - 1, stage.cache().pool().freeBlocks(),
                    "layers " + stage.layers() + " hold only the new sequence's block");
        }
    }

    @Test
    void aFailingStageFailsThePass() throws Exception {
        ModelConfig config = TinyModels.qwen2();
        PipelineDriver pipeline = pipeline(MoeTinyModels.write(dir, config, TinyModels.weights(config, 9)), LayerRange.split(config.numLayers(), 2));
        pipeline.forward(List.of(new StageChunk(1, 0, tokens(4, 1), false)));
        // The second stage holds 4 tokens of sequence 1; continuing at 10 is a gap it must refuse, not fill with garbage.
        Exception e = assertThrows(Exception.class, () -> pipeline.forward(List.of(new StageChunk(1, 10, tokens(1, 2), false))));
        assertEquals(true, e.getMessage().contains("continues it at 10"), e.getMessage());
    }

    /** Stage 0 here (the driver), every later stage a server that forwards to the one after it. */
    private PipelineDriver pipeline(Path model, List<LayerRange> ranges) throws Exception {
        StageClient next = null;
        for (int s = ranges.size() - 1; s >= 1; s--) {
            PipelineStage stage = new PipelineStage(transformer(model), ranges.get(s));
            allStages.add(stage);
            StageServer server = StageServer.start(vertx, stage, next, "127.0.0.1", 0)
                    .toCompletionStage().toCompletableFuture().join();
            open.add(server);
            next = StageClient.connect(vertx, "127.0.0.1", server.port()).toCompletionStage().toCompletableFuture().join();
        }
        PipelineStage first = new PipelineStage(transformer(model), ranges.getFirst());
        allStages.add(first);
        PipelineDriver driver = new PipelineDriver(first, next, ranges.size());
        open.add(driver);
        return driver;
    }

    private Transformer transformer(Path model) throws Exception {
        LoadedModel loaded = LoadedModel.load(model, WeightOptions.AS_STORED);
        open.add(loaded);
        ModelConfig c = loaded.config();
        return new Transformer(c, loaded.weights(), new KvCache(c.numLayers(), c.numKvHeads(), c.headDim(), 64, KvPrecision.F32));
    }

    private static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4, "logit " + i);
        }
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

    private static int[] tokens(int n, long seed) {
        return new SplittableRandom(seed).ints(n, 0, TinyModels.VOCAB_SIZE).toArray();
    }
}
