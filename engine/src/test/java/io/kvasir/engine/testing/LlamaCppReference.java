package io.kvasir.engine.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs llama.cpp (node-llama-cpp, installed by {@code tools/install-llama-cpp.sh}) on a GGUF through
 * {@code engine/src/test/node/llama-reference.mjs}. The npm folder is the system property {@code kvasir.npm.dir},
 * else {@code $KVASIR_HOME/npm}, else {@code <repo>/.kvasir/npm}; the repo is the nearest folder above the
 * working directory that holds {@code mvnw}.
 */
public final class LlamaCppReference {

    /**
     * @param promptLogprobs  {@code [position][vocab]} log-softmax of the next token after each prompt position
     * @param greedyTokens    greedily generated tokens (fewer than asked if an end-of-generation token came first)
     * @param greedyLogprobs  {@code [k][vocab]} the distribution {@code greedyTokens[k]} was chosen from
     */
    public record Result(float[][] promptLogprobs, int[] greedyTokens, float[][] greedyLogprobs) {
    }

    private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(3);
    private static final String SCRIPT = "engine/src/test/node/llama-reference.mjs";

    private LlamaCppReference() {
    }

    public static boolean available() {
        return unavailableReason().isEmpty();
    }

    /** Why the reference cannot run here, for {@code Assumptions.assumeTrue(available(), …)}. */
    public static String skipMessage() {
        return "llama.cpp reference not available (" + unavailableReason().orElse("") + "); run tools/install-llama-cpp.sh";
    }

    private static Optional<String> unavailableReason() {
        Optional<Path> repo = repoRoot();
        if (repo.isEmpty()) {
            return Optional.of("no folder holding mvnw above " + Path.of("").toAbsolutePath());
        }
        Path npm = npmDir(repo.get());
        for (String pkg : new String[]{"node-llama-cpp", "@node-llama-cpp/linux-x64"}) {
            if (!Files.isRegularFile(npm.resolve("node_modules").resolve(pkg).resolve("package.json"))) {
                return Optional.of(pkg + " is not installed in " + npm);
            }
        }
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0 ? Optional.empty() : Optional.of("'node --version' failed");
        } catch (IOException e) {
            return Optional.of("node is not on the PATH");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    public static Result run(Path gguf, int[] tokens, int greedySteps, int contextSize) throws IOException {
        return run(gguf, tokens, greedySteps, contextSize, DEFAULT_TIMEOUT);
    }

    public static Result run(Path gguf, int[] tokens, int greedySteps, int contextSize, Duration timeout)
            throws IOException {
        Path repo = repoRoot().orElseThrow(() -> new IOException("no folder holding mvnw above the working directory"));
        ObjectMapper json = new ObjectMapper();
        ObjectNode request = json.createObjectNode();
        request.put("model", gguf.toAbsolutePath().toString());
        request.putArray("tokens").addAll(Arrays.stream(tokens)
                .mapToObj(json.getNodeFactory()::numberNode).toList());
        request.put("steps", greedySteps);
        request.put("contextSize", contextSize);

        Path stderr = Files.createTempFile("llama-reference", ".log");
        ProcessBuilder pb = new ProcessBuilder("node", repo.resolve(SCRIPT).toString())
                .redirectError(stderr.toFile());
        pb.environment().put("KVASIR_NPM_DIR", npmDir(repo).toString());
        Process p = pb.start();
        try {
            CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
            try (OutputStream in = p.getOutputStream()) {
                in.write(json.writeValueAsBytes(request));
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("llama.cpp reference timed out after " + timeout + "; log: " + tail(stderr));
            }
            byte[] out = stdout.join();
            if (p.exitValue() != 0) {
                throw new IOException("llama.cpp reference failed (exit " + p.exitValue() + "): " + tail(stderr));
            }
            return parse(json.readTree(out));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running llama.cpp", e);
        } finally {
            Files.deleteIfExists(stderr);
        }
    }

    private static Result parse(JsonNode root) {
        JsonNode greedy = root.path("greedyTokens");
        int[] tokens = new int[greedy.size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = greedy.get(i).asInt();
        }
        return new Result(matrix(root.path("promptLogprobs")), tokens, matrix(root.path("greedyLogprobs")));
    }

    private static float[][] matrix(JsonNode rows) {
        float[][] out = new float[rows.size()][];
        for (int r = 0; r < out.length; r++) {
            JsonNode row = rows.get(r);
            out[r] = new float[row.size()];
            for (int i = 0; i < out[r].length; i++) {
                // JSON has no -Infinity: JSON.stringify writes null for a probability that underflowed to zero.
                out[r][i] = row.get(i).isNull() ? Float.NEGATIVE_INFINITY : (float) row.get(i).asDouble();
            }
        }
        return out;
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            in.transferTo(buf);
            return buf.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tail(Path log) throws IOException {
        String text = Files.readString(log, StandardCharsets.UTF_8);
        return text.length() > 4000 ? "…" + text.substring(text.length() - 4000) : text;
    }

    private static Optional<Path> repoRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw"))) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    private static Path npmDir(Path repo) {
        String prop = System.getProperty("kvasir.npm.dir");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String home = System.getenv("KVASIR_HOME");
        return home != null && !home.isBlank() ? Path.of(home, "npm") : repo.resolve(".kvasir/npm");
    }
}
