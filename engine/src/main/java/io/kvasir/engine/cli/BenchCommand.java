package io.kvasir.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.bench.AttentionBenchmark;
import io.kvasir.engine.bench.CompareBenchmark;
import io.kvasir.engine.bench.DecodeBenchmark;
import io.kvasir.engine.bench.ExpertsBenchmark;
import io.kvasir.engine.bench.FusedDecodeBenchmark;
import io.kvasir.engine.bench.GemmBenchmark;
import io.kvasir.engine.bench.NeedleBenchmark;
import io.kvasir.engine.bench.PipelineDecodeBenchmark;
import io.kvasir.engine.bench.SparsePrefillBenchmark;
import io.kvasir.engine.gpu.GpuAttentionBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "bench", description = "Run a benchmark suite and write its results as JSON.")
final class BenchCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "gemm | decode | compare (engine vs llama.cpp on the bench shape)"
            + " | experts (Read-ME expert cache) | attention (sparse methods, one layer; --device cuda: on the GPU)"
            + " | prefill-sparse (end-to-end sparse prefill, small shape) | needle (retrieval per prefill method)")
    String suite;

    @Option(names = "--lengths", split = ",", defaultValue = "8192,32768,131072",
            description = "attention, prefill-sparse, needle: prompt lengths (default ${DEFAULT-VALUE})")
    int[] lengths;

    @Option(names = "--prefill-chunk", defaultValue = "4096", description = "prefill-sparse: tokens per prefill chunk")
    int prefillChunk;

    @Option(names = "--methods", split = ",", description = "attention, prefill-sparse: methods to report (default "
            + "dense,a_shape,vertical_slash,block_sparse,seer,s2,dca; dense is always timed as the baseline); needle: prefill methods, "
            + "each NAME or NAME:BUDGET (default dense)")
    List<String> methods;

    private static final List<String> ATTENTION_METHODS = List.of("dense", "a_shape", "vertical_slash", "block_sparse", "seer", "s2", "dca");

    @Option(names = "--json", required = true, description = "output file")
    Path json;

    @Option(names = "--fusion", description = "decode: the temporal-fusion loop at batch 1 to 64 (\"mode\":\"fused\")")
    boolean fusion;

    @Option(names = "--stages", defaultValue = "1", description = "decode: also through a pipeline of this many stages "
            + "(all but the first as kvasir stage processes on loopback), batch 16, reported as \"stages\":1 and \"stages\":N")
    int stages;

    @Mixin
    DeviceOption device;

    @Mixin
    NeedleBenchOptions needle;

    @Override
    public Integer call() throws Exception {
        if (stages < 1 || (stages > 1 && (!suite.equals("decode") || fusion))) {
            throw new IllegalArgumentException("--stages takes a positive count, and more than 1 only with bench decode "
                    + "(without --fusion)");
        }
        ObjectNode result = device.cuda() ? gpuSuite() : switch (suite) {
            case "gemm" -> GemmBenchmark.run();
            case "decode" -> fusion ? FusedDecodeBenchmark.run()
                    : stages > 1 ? PipelineDecodeBenchmark.run(stages) : DecodeBenchmark.run();
            case "compare" -> CompareBenchmark.run();
            case "experts" -> ExpertsBenchmark.run();
            case "attention" -> AttentionBenchmark.run(lengths, methodsOr(ATTENTION_METHODS));
            case "prefill-sparse" -> SparsePrefillBenchmark.run(lengths, methodsOr(ATTENTION_METHODS), prefillChunk);
            case "needle" -> NeedleBenchmark.run(needle.settings(lengths, methodsOr(List.of("dense"))));
            default -> throw new IllegalArgumentException("unknown suite '" + suite
                    + "' (gemm, decode, compare, experts, attention, prefill-sparse, needle)");
        };
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), result);
        System.out.println(result.toPrettyString());
        return 0;
    }

    private List<String> methodsOr(List<String> defaults) {
        return methods != null ? methods : defaults;
    }

    private ObjectNode gpuSuite() {
        if (!suite.equals("attention")) {
            throw new IllegalArgumentException("suite '" + suite + "' has no GPU version (--device cuda: attention)");
        }
        return GpuAttentionBenchmark.run(lengths);
    }
}
