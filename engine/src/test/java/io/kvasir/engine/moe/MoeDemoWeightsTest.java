package io.kvasir.engine.moe;

import io.kvasir.engine.model.DemoShape;
import io.kvasir.engine.model.HostTensor;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.RandomWeights;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.testing.TinyModels;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The demo models' random MoE weights ({@link RandomWeights}) carry every tensor the loader and the reference expect,
 * under the same names: the engine on them matches the float64 reference (1e-4 in log-probability).
 */
class MoeDemoWeightsTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"qwen2-moe-small", "mixtral-small", "tiny-readme"})
    void demoWeightsLoadAndMatchReference(String shape) throws Exception {
        ModelConfig config = shape.equals("tiny-readme") ? MoeTinyModels.readMe()
                : DemoShape.parse(shape).config(TinyModels.VOCAB_SIZE, -1, List.of(TinyModels.END_OF_TEXT));
        // A larger spread than the demo's 0.02, so that routing and outputs are far from uniform.
        List<HostTensor> weights = RandomWeights.generate(config, 5, 0.2);
        int[] tokens = MoeEngineVsReferenceTest.tokens(12, 6);
        double[][] expected = new MoeReferenceForward(config, weights).logSoftmax(tokens);
        try (InferenceEngine engine = MoeEngineVsReferenceTest.engine(MoeTinyModels.write(dir, config, weights), WeightOptions.AS_STORED)) {
            float[][] scored = engine.score(tokens);
            for (int i = 0; i < tokens.length; i++) {
                double[] lp = MoeEngineVsReferenceTest.logSoftmax(scored[i]);
                for (int id = 0; id < lp.length; id++) {
                    assertEquals(expected[i][id], lp[id], 1e-4, "position " + i + " token " + id);
                }
            }
        }
    }
}
