package io.kvasir.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.bench.AttentionBenchmark;
import io.kvasir.engine.bench.CompareBenchmark;
import io.kvasir.engine.bench.DecodeBenchmark;
import io.kvasir.engine.bench.GemmBenchmark;
import io.kvasir.engine.bench.SparsePrefillBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "bench", description = "Run a benchmark suite and write its results as JSON.")
final class BenchCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "gemm | decode | compare (engine vs llama.cpp on the bench shape) | attention (sparse methods, "
            + "one layer) | prefill-sparse (end-to-end sparse prefill, small shape)")
    String suite;

    @Option(names = "--lengths", split = ",", defaultValue = "8192,32768,131072",
            description = "attention, prefill-sparse: prompt lengths")
    int[] lengths;

    @Option(names = "--prefill-chunk", defaultValue = "4096", description = "prefill-sparse: tokens per prefill chunk")
    int prefillChunk;

    @Option(names = "--methods", split = ",", defaultValue = "dense,a_shape,vertical_slash,block_sparse,s2",
            description = "attention: methods to report (dense is always timed as the baseline)")
    List<String> methods;

    @Option(names = "--json", required = true, description = "output file")
    Path json;

    @Override
    public Integer call() throws Exception {
        ObjectNode result = switch (suite) {
            case "gemm" -> GemmBenchmark.run();
            case "decode" -> DecodeBenchmark.run();
            case "compare" -> CompareBenchmark.run();
            case "attention" -> AttentionBenchmark.run(lengths, methods);
            case "prefill-sparse" -> SparsePrefillBenchmark.run(lengths, methods, prefillChunk);
            default -> throw new IllegalArgumentException("unknown suite '" + suite
                    + "' (gemm, decode, compare, attention, prefill-sparse)");
        };
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), result);
        System.out.println(result.toPrettyString());
        return 0;
    }
}
