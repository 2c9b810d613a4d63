package io.kvasir.decode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A JVM started from this test's classpath, its output kept; started() returns the line that says it is ready. */
final class JavaProcess implements AutoCloseable {

    private static final List<String> FLAGS = List.of("--add-modules", "jdk.incubator.vector,java.se",
            "--enable-native-access=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.management/sun.management=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "-Xmx384m", "-XX:+UseSerialGC", "-Dhazelcast.logging.type=none", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");

    private final String name;
    private final Process process;
    private final List<String> output = new ArrayList<>();
    private final CompletableFuture<String> ready = new CompletableFuture<>();

    JavaProcess(String name, Class<?> main, String readyPrefix, String... args) throws IOException {
        this.name = name;
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(FLAGS);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Thread.ofPlatform().daemon().name(name + "-output").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (output) {
                        output.add(line);
                    }
                    if (line.startsWith(readyPrefix)) {
                        ready.complete(line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended; its output so far is kept
            }
            ready.completeExceptionally(new IllegalStateException(name + " exited before it was ready:\n" + output()));
        });
    }

    /** The ready line; fails with the process's output if it does not come within the limit. */
    String awaitReady() throws Exception {
        try {
            return ready.get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(name + " did not get ready:\n" + output(), e);
        }
    }

    /** The port of a "ready on 127.0.0.1:PORT" line. */
    int awaitPort() throws Exception {
        String line = awaitReady();
        return Integer.parseInt(line.substring(line.lastIndexOf(':') + 1).trim());
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
