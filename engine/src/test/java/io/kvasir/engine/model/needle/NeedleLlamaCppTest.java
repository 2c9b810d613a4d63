package io.kvasir.engine.model.needle;

import io.kvasir.engine.model.HostTensor;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.model.format.GgufModelExporter;
import io.kvasir.engine.model.format.GgufVocabulary;
import io.kvasir.engine.model.format.SafetensorsCheckpoint;
import io.kvasir.engine.model.format.Tensor;
import io.kvasir.engine.runtime.EngineOptions;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.LoadedModel;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.engine.sampling.SamplingParams;
import io.kvasir.engine.tensor.DType;
import io.kvasir.engine.testing.LlamaCppReference;
import io.kvasir.engine.tokenizer.ByteLevelBpeVocabulary;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The needle checkpoint is plain {@code qwen2}: its folder, converted to GGUF the way any Hugging Face checkpoint
 * would be, gives llama.cpp (an implementation no one here wrote) the same answer, the same stop after it and the
 * same next-token distribution at every prompt position as the engine, on the folder and on the GGUF alike. 2048
 * tokens with four needles keep llama.cpp's run short.
 */
class NeedleLlamaCppTest {

    private static final int LENGTH = 2000;
    private static final int CONTEXT = 2048;
    /** F32 weights and KV cache on both sides, as in EngineVsLlamaCppTest; measured: about 3e-5. */
    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    @BeforeAll
    static void requireLlamaCpp() {
        assumeTrue(LlamaCppReference.available(), LlamaCppReference::skipMessage);
    }

    @Test
    void llamaCppAndTheEngineGiveTheSameAnswer() throws Exception {
        Path folder = dir.resolve("needle");
        NeedleModelWriter.write(folder, NeedleModelWriter.DEFAULT_KEYS, NeedleModelWriter.DEFAULT_SEED,
                NeedleModelWriter.DEFAULT_ROPE_THETA);
        Path gguf = dir.resolve("needle.gguf");
        exportGguf(folder, gguf);

        NeedlePrompt prompt;
        float[][] engineLogprobs;
        int[] engineGreedy;
        try (InferenceEngine engine = new InferenceEngine(LoadedModel.load(folder, WeightOptions.AS_STORED), EngineOptions.DEFAULTS)) {
            prompt = NeedlePrompt.build(NeedleTokens.of(engine.model().tokenizer()), LENGTH, 0.3, 4, 5);
            engineLogprobs = logSoftmax(engine.score(prompt.tokens()));
            engineGreedy = greedy(engine, prompt);
        }
        int eos = engineGreedy[1];
        assertArrayEquals(new int[]{prompt.answer(), eos}, engineGreedy, "engine: the answer, then end of text");
        try (InferenceEngine engine = new InferenceEngine(LoadedModel.load(gguf, WeightOptions.AS_STORED), EngineOptions.DEFAULTS)) {
            assertArrayEquals(engineGreedy, greedy(engine, prompt), "engine on the GGUF");
            assertEquals(0, worstDifference(engineLogprobs, logSoftmax(engine.score(prompt.tokens()))), 1e-5,
                    "engine: folder vs GGUF log-softmax");
        }

        LlamaCppReference.Result llama = LlamaCppReference.run(gguf, prompt.tokens(), 2, CONTEXT);
        assertArrayEquals(engineGreedy, llama.greedyTokens(), "llama.cpp greedy tokens");
        float answerLogprob = llama.promptLogprobs()[LENGTH - 1][prompt.answer()];
        assertTrue(answerLogprob > -0.1, "llama.cpp answer log-probability " + answerLogprob);
        double worst = worstDifference(engineLogprobs, llama.promptLogprobs());
        System.out.printf("needle model: engine vs llama.cpp, worst |Δ logprob| over %d positions = %.3g, "
                + "llama.cpp answer logprob %.3g%n", LENGTH, worst, answerLogprob);
        assertEquals(0, worst, TOLERANCE, "engine vs llama.cpp log-softmax, worst |Δ| over the prompt");
    }

    /** Folder to GGUF through the checkpoint's own files: config.json, safetensors and tokenizer.json. */
    private static void exportGguf(Path folder, Path gguf) throws Exception {
        ModelConfig config = ModelConfig.read(folder.resolve("config.json"));
        List<HostTensor> tensors = new ArrayList<>();
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(folder)) {
            for (Tensor t : checkpoint.tensors().values()) {
                tensors.add(new HostTensor(t.name(), t.shape(), t.toFloats()));
            }
        }
        ByteLevelBpeVocabulary bpe = ByteLevelBpeVocabulary.read(folder);
        GgufVocabulary vocab = new GgufVocabulary("gpt2", "qwen2", bpe.tokens(),
                bpe.tokenTypes().stream().mapToInt(Integer::intValue).toArray(), bpe.merges(),
                bpe.bosId(), bpe.eosId(), bpe.padId());
        GgufModelExporter.export(config, tensors, vocab, DType.F32, gguf);
    }

    private static int[] greedy(InferenceEngine engine, NeedlePrompt prompt) {
        Sequence seq = engine.start(prompt.tokens(), SamplingParams.builder().temperature(0).maxTokens(2).build());
        engine.prefill(seq);
        while (!seq.isFinished()) {
            engine.decode(List.of(seq));
        }
        return seq.generated();
    }

    private static float[][] logSoftmax(float[][] logits) {
        float[][] out = new float[logits.length][];
        for (int i = 0; i < logits.length; i++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (float l : logits[i]) {
                max = Math.max(max, l);
            }
            for (float l : logits[i]) {
                sum += Math.exp(l - max);
            }
            out[i] = new float[logits[i].length];
            for (int t = 0; t < out[i].length; t++) {
                out[i][t] = (float) (logits[i][t] - max - Math.log(sum));
            }
        }
        return out;
    }

    private static double worstDifference(float[][] a, float[][] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            for (int t = 0; t < a[i].length; t++) {
                worst = Math.max(worst, Math.abs(a[i][t] - b[i][t]));
            }
        }
        return worst;
    }
}
