package io.kvasir.kvstore;

import io.kvasir.engine.kv.KvPrecision;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * Names the model and KV type that computed a block, so workers of another model (or of the same model with
 * another KV type) never reuse it: SHA-256 over config.json, the weight files' names and sizes, and the KV type.
 * Weight contents are not hashed: reading gigabytes at every start would cost more than it protects.
 */
public final class ModelFingerprint {

    private ModelFingerprint() {
    }

    public static String of(Path model, KvPrecision precision) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        if (Files.isDirectory(model)) {
            sha.update(Files.readAllBytes(model.resolve("config.json")));
            try (Stream<Path> files = Files.list(model)) {
                for (Path p : files.filter(f -> f.toString().endsWith(".safetensors")).sorted().toList()) {
                    sha.update((p.getFileName() + ":" + Files.size(p) + ";").getBytes());
                }
            }
        } else {
            sha.update((model.getFileName() + ":" + Files.size(model)).getBytes());
        }
        sha.update(precision.name().getBytes());
        return HexFormat.of().formatHex(sha.digest(), 0, 12);
    }
}
