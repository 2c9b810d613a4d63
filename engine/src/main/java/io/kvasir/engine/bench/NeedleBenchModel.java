package io.kvasir.engine.bench;

import io.kvasir.engine.model.needle.NeedleModelWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** The default needle model, written once under the Kvasir home folder and reused. */
final class NeedleBenchModel {

    private NeedleBenchModel() {
    }

    static Path ensure() throws IOException {
        Path models = Path.of(System.getProperty("kvasir.home", ".kvasir")).resolve("models");
        Path dir = models.resolve("needle");
        if (Files.isRegularFile(dir.resolve("model.safetensors")) && Files.isRegularFile(dir.resolve("config.json"))) {
            return dir;
        }
        System.err.println("bench: writing the needle model to " + dir + " (once)…");
        Path tmp = Files.createDirectories(models).resolve("needle.tmp");
        deleteTree(tmp);
        NeedleModelWriter.write(tmp, NeedleModelWriter.DEFAULT_KEYS, NeedleModelWriter.DEFAULT_SEED,
                NeedleModelWriter.DEFAULT_ROPE_THETA);
        deleteTree(dir);
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        return dir;
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
