package io.kvasir.engine.cli;

import io.kvasir.engine.runtime.EngineOptions;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.LoadedModel;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.engine.sampling.SamplingParams;
import io.kvasir.engine.tokenizer.ChatMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "generate", description = "Stream a completion of a prompt, then print prompt and generation speed.")
final class GenerateCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Mixin
    DeviceOption device;

    @Option(names = "--prompt", required = true)
    String prompt;

    @Option(names = "--chat", description = "format the prompt as one user turn with the model's chat template")
    boolean chat;

    @Option(names = "--max-tokens", defaultValue = "128")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0.8", description = "0 = greedy (default ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1.0")
    double topP;

    @Option(names = "--seed", description = "random seed (default: a fresh one)")
    Long seed;

    @Option(names = "--prefill-chunk", defaultValue = "512")
    int prefillChunk;

    @Override
    public Integer call() throws Exception {
        device.requireCpuForwardPass("generate");
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (InferenceEngine engine = new InferenceEngine(LoadedModel.load(model.path, model.weightOptions()),
                EngineOptions.DEFAULTS.withPrefillChunk(prefillChunk).withKvPrecision(model.kvPrecision).withSparseConfig(model.sparseConfig))) {
            LoadedModel m = engine.model();
            int[] ids = chat
                    ? m.tokenizer().encodeWithoutSpecialTokens(m.chatTemplate().render(List.of(new ChatMessage("user", prompt)), true))
                    : m.tokenizer().encode(prompt);
            SamplingParams params = SamplingParams.builder().temperature(temperature).topP(topP).seed(seed)
                    .maxTokens(maxTokens).build();
            Sequence seq = engine.start(ids, params);
            long t0 = System.nanoTime();
            engine.prefill(seq);
            long t1 = System.nanoTime();
            out.print(seq.takeText());
            while (!seq.isFinished()) {
                engine.decode(List.of(seq));
                out.print(seq.takeText());
            }
            long t2 = System.nanoTime();
            out.print(seq.takeText());
            out.println();
            int generated = seq.generated().length;
            System.err.printf("prompt: %d tokens, %.1f tokens/s | generation: %d tokens, %.1f tokens/s | finish: %s%n",
                    ids.length, ids.length / ((t1 - t0) / 1e9), generated,
                    generated > 1 ? (generated - 1) / ((t2 - t1) / 1e9) : 0.0, seq.finishReason().wireName());
        }
        return 0;
    }
}
