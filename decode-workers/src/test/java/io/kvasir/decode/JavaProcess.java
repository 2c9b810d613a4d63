package io.kvasir.decode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A JVM of the cluster under test, its output kept: a kv-store member from this test's classpath, or a worker's
 * packaged Quarkus app; its output also goes to {@code target/it-logs/NAME.log}. Ready when a member prints its ready line, or when a worker's {@code /q/health/ready} is up.
 */
final class JavaProcess implements AutoCloseable {

    private static final List<String> HAZELCAST_FLAGS = List.of("--add-modules", "java.se",
            "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.management/sun.management=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");
    private static final List<String> SMALL_HEAP = List.of("-Xmx384m", "-XX:+UseSerialGC");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Every process's whole output, for a failure's post-mortem. */
    private static final Path LOGS = Path.of("target", "it-logs");

    private final String name;
    private final Process process;
    private final List<String> output = new ArrayList<>();
    private final CompletableFuture<String> readyLine = new CompletableFuture<>();

    private JavaProcess(String name, List<String> command, String readyPrefix) throws IOException {
        this.name = name;
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(command);
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Path log = LOGS.resolve(name + ".log");
        Files.createDirectories(LOGS);
        Thread.ofPlatform().daemon().name(name + "-output").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                 var file = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                    file.write(line);
                    file.newLine();
                    file.flush();
                    synchronized (output) {
                        output.add(line);
                    }
                    if (readyPrefix != null && line.startsWith(readyPrefix)) {
                        readyLine.complete(line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended; its output so far is kept
            }
            readyLine.completeExceptionally(new IllegalStateException(name + " exited before it was ready:\n" + output()));
        });
    }

    /** {@code main} from this test's classpath, ready once it prints a line starting with {@code readyPrefix}. */
    static JavaProcess main(String name, Class<?> main, String readyPrefix, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(HAZELCAST_FLAGS);
        cmd.addAll(SMALL_HEAP);
        cmd.addAll(List.of("-Dhazelcast.logging.type=none", "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return new JavaProcess(name, cmd, readyPrefix);
    }

    /**
     * A worker, launched as it is everywhere ({@code ./kvasir up}, the e2e tests): {@code java --add-modules
     * jdk.incubator.vector -D<config>… -jar <module>/target/quarkus-app/quarkus-run.jar}; its manifest carries the
     * rest of the JVM flags. {@code app} names the system property the build sets to the jar's path.
     */
    static JavaProcess worker(String name, String app, int port, Map<String, String> config) throws Exception {
        Path jar = Path.of(System.getProperty(app, "target/quarkus-app/quarkus-run.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package the workers first (mvn -pl decode-workers -am verify)");
        }
        List<String> cmd = new ArrayList<>(List.of("--add-modules", "jdk.incubator.vector"));
        cmd.addAll(SMALL_HEAP);
        cmd.add("-Dquarkus.http.port=" + port);
        config.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", jar.toString()));
        JavaProcess p = new JavaProcess(name, cmd, null);
        p.awaitHealthy("http://127.0.0.1:" + port);
        return p;
    }

    /** The ready line; fails with the process's output if it does not come within the limit. */
    String awaitReady() throws Exception {
        try {
            return readyLine.get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(name + " did not get ready:\n" + output(), e);
        }
    }

    private void awaitHealthy(String url) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited during start-up:\n" + output());
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        close();
        throw new IllegalStateException(name + " was not ready within 180 s:\n" + output());
    }

    String output() {
        synchronized (output) {
            return String.join("\n", output.subList(Math.max(0, output.size() - 60), output.size()));
        }
    }

    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            kill();
        }
    }
}
