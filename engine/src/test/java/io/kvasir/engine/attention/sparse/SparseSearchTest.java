package io.kvasir.engine.attention.sparse;

import io.kvasir.engine.attention.AttentionPlanner;
import io.kvasir.engine.model.HostTensor;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.model.format.SafetensorsWriter;
import io.kvasir.engine.runtime.EngineOptions;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.LoadedModel;
import io.kvasir.engine.tensor.DType;
import io.kvasir.engine.testing.TinyModels;
import io.kvasir.engine.tokenizer.TokenizerGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pattern search and sparsity refinement: budgets rise until recall meets the target; the config it writes runs. */
class SparseSearchTest {

    @TempDir
    Path dir;

    /** A planted head whose too-small vertical-slash budget misses its verticals, slash band and needles. */
    @Test
    void refinementRaisesBudgetsUntilRecallMeetsTheTarget() {
        LayerAttention layer = LayerAttention.of(PlantedAttention.generate(4096, 4, 1, 64, 5));
        HeadRecall head = new HeadRecall(layer.inputs(), 0, 16);
        PatternSpec start = PatternSpec.verticalSlash(30, 50);
        double before = head.measure(start).recall();
        assertTrue(before < 0.95, "the starting budget already reaches " + before);
        BudgetRefiner.Result r = BudgetRefiner.refine(start, head, 0.95);
        assertTrue(r.steps() > 0, "no refinement step taken");
        assertTrue(r.measurement().recall() >= 0.95, "refined recall " + r.measurement());
        assertTrue(r.pattern().vertical() > start.vertical() && r.pattern().slash() > start.slash(), "budgets " + r.pattern());
        assertEquals(r.measurement().recall(), r.pattern().score(), 1e-12);
        assertTrue(r.measurement().density() < 1, "refinement went all the way to dense");
        // One step fewer is still below the target: refinement stops at the first budget that meets it.
        PatternSpec previous = start;
        for (int i = 1; i < r.steps(); i++) {
            previous = BudgetRefiner.raised(previous);
        }
        assertTrue(head.measure(previous).recall() < 0.95, "refinement overshot: " + previous + " already meets the target");
    }

    /** {@code sparse-search --seer}: gates fitted on the model's activations, found in the model folder by the engine. */
    @Test
    void fittedSeerGatesAreLoadedAndUsedByTheEngine() throws Exception {
        ModelConfig config = TinyModels.qwen2();
        Path model = tinyModel(config, TinyModels.weights(config, 4));
        int[] prompt = SparseEngineTest.tokens(250, 6);
        try (LoadedModel m = LoadedModel.load(model, WeightOptions.AS_STORED)) {
            SeerAttention.write(model.resolve(SeerAttention.FOLDER), SparseSearch.fitSeerGates(m.config(), m.weights(),
                    prompt, 20, 3e-3, new PrintStream(OutputStream.nullOutputStream())));
        }
        assertTrue(SparseAttentionSetup.planner(model, config, null) instanceof SeerAttention);
        try (InferenceEngine engine = new InferenceEngine(LoadedModel.load(model, WeightOptions.AS_STORED),
                EngineOptions.DEFAULTS.withPrefillChunk(250))) {
            for (float[] row : engine.score(prompt)) {
                for (float v : row) {
                    assertTrue(Float.isFinite(v));
                }
            }
        }
    }

    private Path tinyModel(ModelConfig config, List<HostTensor> weights) throws Exception {
        Path model = Files.createTempDirectory(dir, "model");
        Files.writeString(model.resolve("config.json"), config.toJson());
        SafetensorsWriter.write(model.resolve("model.safetensors"), weights, DType.F32, Map.of());
        TokenizerGenerator.write(model, config.vocabSize());
        return model;
    }

    @Test
    void searchWritesAConfigTheEngineLoads() throws Exception {
        ModelConfig config = TinyModels.qwen2();
        List<HostTensor> weights = TinyModels.weights(config, 9);
        Path model = tinyModel(config, weights);
        int[] prompt = SparseEngineTest.tokens(250, 3);
        PatternSpec tiny = PatternSpec.aShape(2, 8);
        SparseAttentionConfig found;
        try (LoadedModel m = LoadedModel.load(model, WeightOptions.AS_STORED)) {
            found = SparseSearch.run(m.config(), m.weights(), prompt, List.of(tiny), 0.95, 4,
                    new PrintStream(OutputStream.nullOutputStream()));
        }
        assertEquals(config.numLayers(), found.layers().size());
        boolean raised = false;
        for (Map<Integer, PatternSpec> layer : found.layers()) {
            assertEquals(config.numHeads(), layer.size());
            for (PatternSpec p : layer.values()) {
                assertTrue(p.score() >= 0.95, "head below target: " + p);
                raised |= p.slash() > tiny.slash();
            }
        }
        assertTrue(raised, "no head needed refinement: the test input is too easy");
        found.write(model.resolve(SparseAttentionConfig.FILE_NAME));
        AttentionPlanner loaded = SparseAttentionSetup.planner(model, config, null);
        assertNotNull(loaded);
        assertEquals(found, ((SparsePlanner) loaded).config());
        try (InferenceEngine engine = new InferenceEngine(LoadedModel.load(model, WeightOptions.AS_STORED),
                EngineOptions.DEFAULTS.withPrefillChunk(64))) {
            float[][] logits = engine.score(prompt);
            for (float[] row : logits) {
                for (float v : row) {
                    assertTrue(Float.isFinite(v));
                }
            }
        }
    }
}
