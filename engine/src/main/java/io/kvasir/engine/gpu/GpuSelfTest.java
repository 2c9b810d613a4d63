package io.kvasir.engine.gpu;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.model.RopeScaling;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Every GPU-vs-CPU comparison, then the attention benchmark, without Maven or JUnit (for a GPU machine that has
 * only the built jars): {@code GpuSelfTest OUT_DIR [LENGTHS]} prints one PASS/FAIL line per check with its error,
 * writes them to {@code OUT_DIR/gpu-selftest.txt} and the benchmark to {@code OUT_DIR/gpu-attention.json}.
 * Exit status: 0 all passed, 1 a check failed, 2 no usable GPU.
 */
public final class GpuSelfTest {

    private GpuSelfTest() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: GpuSelfTest OUT_DIR [LENGTHS, default 32768,131072]");
            System.exit(64);
        }
        Path outDir = Files.createDirectories(Path.of(args[0]));
        int[] lengths = Arrays.stream((args.length > 1 ? args[1] : "32768,131072").split(","))
                .mapToInt(Integer::parseInt).toArray();
        Path report = outDir.resolve("gpu-selftest.txt");
        try (PrintStream log = new PrintStream(Files.newOutputStream(report), true, StandardCharsets.UTF_8)) {
            System.exit(run(outDir, lengths, new Tee(log)));
        }
    }

    private static int run(Path outDir, int[] lengths, Tee out) throws IOException {
        if (!Cuda.available()) {
            out.line("GPU UNAVAILABLE: " + Cuda.unavailableReason());
            return 2;
        }
        DeviceInfo info = Cuda.device().info();
        out.line("device: " + info);
        List<Supplier<List<Comparison>>> checks = new ArrayList<>(List.of(
                () -> DenseKernelChecks.matmul(100, 300, 520, 1),
                () -> DenseKernelChecks.matmul(1, 257, 96, 2),
                () -> List.of(DenseKernelChecks.rmsNorm(7, 1000, 3)),
                () -> List.of(DenseKernelChecks.swiglu(10_007, 4)),
                () -> List.of(DenseKernelChecks.rope(RopeScaling.NONE, 37, 4, 64, 5)),
                () -> List.of(DenseKernelChecks.rope(new RopeScaling("yarn", 4, 32_768, 32, 1, 1, 4), 37, 4, 128, 6))));
        checks.addAll(AttentionChecks.cases());
        int passed = 0;
        int failed = 0;
        for (Supplier<List<Comparison>> check : checks) {
            try {
                for (Comparison c : check.get()) {
                    out.line(c.toString());
                    passed += c.passed() ? 1 : 0;
                    failed += c.passed() ? 0 : 1;
                }
            } catch (RuntimeException e) {
                // A kernel fault surfaces as a CUDA exception; report it as a failure and go on to the next check.
                out.line("FAIL " + e);
                failed++;
            }
        }
        out.line(failed == 0 ? "ALL " + passed + " GPU CHECKS PASSED" : failed + " GPU CHECKS FAILED, " + passed + " passed");
        try {
            ObjectNode bench = GpuAttentionBenchmark.run(lengths);
            Path json = outDir.resolve("gpu-attention.json");
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), bench);
            out.line("benchmark written to " + json);
        } catch (RuntimeException e) {
            out.line("BENCHMARK FAILED: " + e);
            return 1;
        }
        return failed == 0 ? 0 : 1;
    }

    /** Lines to stdout and to the report file. */
    private record Tee(PrintStream file) {
        void line(String s) {
            System.out.println(s);
            file.println(s);
        }
    }
}
