package io.kvasir.engine.bench;

import io.kvasir.engine.model.DualChunkAttentionConfig;
import io.kvasir.engine.model.needle.NeedleModelWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The default needle model, written once under the Kvasir home folder and reused; its dual-chunk variants (same
 * weights and tokenizer, config.json with a {@code dual_chunk_attention_config}) each in a folder of their own.
 */
final class NeedleBenchModel {

    private NeedleBenchModel() {
    }

    /** @param dca null for the plain model */
    static Path ensure(DualChunkAttentionConfig dca) throws IOException {
        Path models = Path.of(System.getProperty("kvasir.home", ".kvasir")).resolve("models");
        String name = dca == null ? "needle" : "needle-dca-" + dca.chunkSize() + "-" + dca.localSize() + "-"
                + dca.originalMaxPositionEmbeddings() + "-" + dca.sparseAttentionThreshold();
        Path dir = models.resolve(name);
        if (Files.isRegularFile(dir.resolve("model.safetensors")) && Files.isRegularFile(dir.resolve("config.json"))) {
            return dir;
        }
        System.err.println("bench: writing the needle model to " + dir + " (once)…");
        Path tmp = Files.createDirectories(models).resolve(name + ".tmp");
        deleteTree(tmp);
        NeedleModelWriter.write(tmp, NeedleModelWriter.DEFAULT_KEYS, NeedleModelWriter.DEFAULT_SEED,
                NeedleModelWriter.DEFAULT_ROPE_THETA, dca);
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
