package io.kvasir.engine.bench;

import io.kvasir.engine.model.DemoShape;
import io.kvasir.engine.model.demo.DemoModelWriter;
import io.kvasir.engine.sampling.SamplingParams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** Benchmark demo models, each written once under the Kvasir home folder and reused. */
final class BenchModel {

    static final long SEED = 42;

    private BenchModel() {
    }

    static Path ensure() throws IOException {
        return ensure(DemoShape.BENCH, "bench");
    }

    /** The demo model of {@code shape} (one that needs no Qwen tokenizer) in folder {@code name}. */
    static Path ensure(DemoShape shape, String name) throws IOException {
        Path home = Path.of(System.getProperty("kvasir.home", ".kvasir"));
        Path dir = home.resolve("models").resolve(name);
        if (Files.isRegularFile(dir.resolve("model.safetensors")) && Files.isRegularFile(dir.resolve("config.json"))) {
            return dir;
        }
        System.err.println("bench: writing the " + name + " demo model to " + dir + " (once)…");
        Path tmp = Files.createDirectories(home.resolve("models")).resolve(name + ".tmp");
        deleteTree(tmp);
        DemoModelWriter.write(tmp, shape, SEED, null);
        deleteTree(dir);
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        return dir;
    }

    /** The prompt both the engine and llama.cpp get: ids from a plain LCG, clear of bytes and specials. */
    static int[] prompt(int length, int vocab) {
        int[] ids = new int[length];
        long state = 12345;
        for (int i = 0; i < length; i++) {
            state = (state * 1103515245L + 12345) % 2147483648L;
            ids[i] = (int) (256 + state % (vocab - 512));
        }
        return ids;
    }

    /** Greedy decoding that runs until the benchmark stops it. */
    static SamplingParams greedyWithoutEnd() {
        return SamplingParams.builder().temperature(0).maxTokens(1 << 20).ignoreEos(true).build();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
