package io.kvasir.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.bench.CompareBenchmark;
import io.kvasir.engine.bench.DecodeBenchmark;
import io.kvasir.engine.bench.ExpertsBenchmark;
import io.kvasir.engine.bench.FusedDecodeBenchmark;
import io.kvasir.engine.bench.GemmBenchmark;
import io.kvasir.engine.bench.NeedleBenchmark;
import io.kvasir.engine.gpu.GpuAttentionBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "bench", description = "Run a benchmark suite and write its results as JSON.")
final class BenchCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "gemm | decode | compare (engine vs llama.cpp on the bench shape)"
            + " | experts (Read-ME expert cache) | attention (with --device cuda) | needle (retrieval per prefill method)")
    String suite;

    @Option(names = "--json", required = true, description = "output file")
    Path json;

    @Option(names = "--fusion", description = "decode: the temporal-fusion loop at batch 1 to 64 (\"mode\":\"fused\")")
    boolean fusion;

    @Mixin
    DeviceOption device;

    @Option(names = "--lengths", split = ",", defaultValue = "32768,131072",
            description = "attention, needle: context lengths in tokens (default ${DEFAULT-VALUE})")
    int[] lengths;

    @Mixin
    NeedleBenchOptions needle;

    @Override
    public Integer call() throws Exception {
        ObjectNode result = device.cuda() ? gpuSuite() : switch (suite) {
            case "gemm" -> GemmBenchmark.run();
            case "decode" -> fusion ? FusedDecodeBenchmark.run() : DecodeBenchmark.run();
            case "compare" -> CompareBenchmark.run();
            case "experts" -> ExpertsBenchmark.run();
            case "needle" -> NeedleBenchmark.run(needle.settings(lengths));
            default -> throw new IllegalArgumentException("unknown suite '" + suite + "' (gemm, decode, compare, experts, needle)");
        };
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), result);
        System.out.println(result.toPrettyString());
        return 0;
    }

    private ObjectNode gpuSuite() {
        if (!suite.equals("attention")) {
            throw new IllegalArgumentException("suite '" + suite + "' has no GPU version (--device cuda: attention)");
        }
        return GpuAttentionBenchmark.run(lengths);
    }
}
