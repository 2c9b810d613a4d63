package io.kvasir.engine.testing;

import io.kvasir.engine.model.HostTensor;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.format.GgufModelExporter;
import io.kvasir.engine.tensor.DType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Proves the llama.cpp harness and the GGUF exporter against the float64 {@link ReferenceForward}: a tiny random
 * model exported as F32 GGUF must give llama.cpp's log-softmax within 1e-4 of the reference at every position
 * (F32 weights and KV cache give about 3e-6). The {@code llama} case also checks the q/k row permutation, since
 * llama.cpp applies interleaved RoPE to that architecture.
 */
class LlamaCppHarnessTest {

    private static final double TOLERANCE = 1e-4;
    private static final int[] PROMPT = {72, 101, 108, 108, 111, 32, 270, 300, 281, 119, 111, 114, 108, 100, 33, 10};
    private static final int STEPS = 6;

    @TempDir
    Path dir;

    @BeforeAll
    static void requireLlamaCpp() {
        assumeTrue(LlamaCppReference.available(), LlamaCppReference::skipMessage);
    }

    @Test
    void qwen2MatchesReferenceForward() throws Exception {
        crossCheck(TinyModels.qwen2(), "qwen2");
    }

    @Test
    void llamaMatchesReferenceForward() throws Exception {
        crossCheck(TinyModels.llama(), "llama-bpe");
    }

    private void crossCheck(ModelConfig config, String pre) throws Exception {
        List<HostTensor> weights = TinyModels.weights(config, 42);
        Path gguf = dir.resolve("tiny.gguf");
        GgufModelExporter.export(config, weights, TinyModels.vocabulary(pre), DType.F32, gguf);

        LlamaCppReference.Result llama = LlamaCppReference.run(gguf, PROMPT, STEPS, 64);
        ReferenceForward reference = new ReferenceForward(config, weights);

        double[][] expected = reference.logSoftmax(PROMPT);
        assertEquals(PROMPT.length, llama.promptLogprobs().length);
        double maxDelta = maxDelta(expected, llama.promptLogprobs(), "prompt");

        int[] greedy = reference.greedy(PROMPT, STEPS);
        assertArrayEquals(greedy, llama.greedyTokens(), "greedy continuation");
        int[] sequence = concat(PROMPT, greedy);
        double[][] all = reference.logSoftmax(sequence);
        double[][] atGreedy = Arrays.copyOfRange(all, PROMPT.length - 1, PROMPT.length - 1 + STEPS);
        maxDelta = Math.max(maxDelta, maxDelta(atGreedy, llama.greedyLogprobs(), "greedy"));
        System.out.printf("%s: max |Δ logprob| llama.cpp vs float64 reference = %.3g%n", config.architecture(), maxDelta);
    }

    private static double maxDelta(double[][] expected, float[][] actual, String what) {
        double max = 0;
        for (int t = 0; t < expected.length; t++) {
            assertEquals(expected[t].length, actual[t].length, what + " position " + t + ": vocabulary size");
            for (int v = 0; v < expected[t].length; v++) {
                double delta = Math.abs(expected[t][v] - actual[t][v]);
                assertTrue(delta <= TOLERANCE, what + " position " + t + " token " + v + ": reference "
                        + expected[t][v] + ", llama.cpp " + actual[t][v]);
                max = Math.max(max, delta);
            }
        }
        return max;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
