package io.kvasir.engine.cli;

import io.kvasir.engine.bench.NeedleBenchmark;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The options of {@code bench needle}; other suites ignore them. */
final class NeedleBenchOptions {

    @Option(names = "--depths", split = ",", defaultValue = "0,0.25,0.5,0.75,1",
            description = "needle: depths of the asked needle (0 = first token, 1 = just before the question)")
    List<Double> depths;

    @Option(names = "--needles", split = ",", defaultValue = "1", description = "needle: needles per prompt (distinct keys)")
    List<Integer> needles;

    @Option(names = "--model", description = "needle: model folder or GGUF (default: the needle model, written once)")
    Path model;

    @Option(names = "--seed", defaultValue = "1", description = "needle: picks keys, values and positions")
    long seed;

    /** @param lengths and {@code methods}: the bench command's options, shared with the attention suites */
    NeedleBenchmark.Settings settings(int[] lengths, List<String> methods) {
        return new NeedleBenchmark.Settings(model, Arrays.stream(lengths).boxed().toList(), depths, needles, methods, seed);
    }
}
