package io.kvasir.engine.cli;

import io.kvasir.engine.model.DemoShape;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.demo.DemoModelWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "demo-model", description = "Write a random-weight model in the Hugging Face Qwen2 layout (BF16 safetensors).")
final class DemoModelCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, description = "output folder")
    Path out;

    @Option(names = "--shape", defaultValue = "small", description = "small | bench | qwen2.5-0.5b | qwen2-moe-small | mixtral-small | readme-small (default ${DEFAULT-VALUE})")
    String shape;

    @Option(names = "--seed", defaultValue = "42")
    long seed;

    @Option(names = "--qwen-tokenizer", description = "folder with the Qwen tokenizer.json (the launcher passes it)")
    Path qwenTokenizer;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        ModelConfig c = DemoModelWriter.write(out, DemoShape.parse(shape), seed, qwenTokenizer);
        System.out.printf("wrote %s: %s, %d layers, hidden %d, heads %d/%d, vocab %d (%.1f s)%n", out, shape,
                c.numLayers(), c.hiddenSize(), c.numHeads(), c.numKvHeads(), c.vocabSize(), (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
