package io.kvasir.engine.pipeline;

import io.kvasir.engine.cli.KvasirCli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The later stages of a pipeline as child JVMs on loopback, each started like {@code ./kvasir stage --layers FROM:TO
 * --port 0 --next HOST:PORT} from this JVM's classpath (the kv-store bench and the worker tests start their members
 * the same way), last stage first so each knows the address of the one after it. Each picks a free port and prints
 * it; each also exits by itself when this process ends ({@code --exit-with}), so a crashed or killed driver leaves
 * no stage behind. {@link #close} stops them all.
 */
public final class StageProcesses implements AutoCloseable {

    /** The line {@code kvasir stage} prints once it listens; its port follows the last colon. */
    public static final String READY = "stage: layers";

    private static final int KEPT_LINES = 60;
    private static final long READY_SECONDS = 180;

    private final List<Process> processes = new ArrayList<>();
    private final Thread stopOnExit = new Thread(this::destroyAll, "stage-processes-stop");
    private int firstPort;

    private StageProcesses() {
        Runtime.getRuntime().addShutdownHook(stopOnExit);
    }

    /**
     * Starts every stage of {@code ranges} but the first (which the caller runs in-process, e.g. in a
     * {@link PipelineDriver}).
     *
     * @param modelArgs further {@code --model}-level options every stage gets (e.g. {@code --quantize})
     * @param kvBytes   each stage's KV cache
     * @param heapMib   each stage JVM's maximum heap
     */
    public static StageProcesses start(Path model, List<LayerRange> ranges, List<String> modelArgs, long kvBytes,
                                       int heapMib) throws IOException {
        return start(model, ranges, modelArgs, kvBytes, heapMib, ProcessHandle.current().pid());
    }

    /** {@link #start(Path, List, List, long, int)} with stages that exit when process {@code owner} ends. */
    static StageProcesses start(Path model, List<LayerRange> ranges, List<String> modelArgs, long kvBytes, int heapMib,
                                long owner) throws IOException {
        if (ranges.size() < 2) {
            throw new IllegalArgumentException("a pipeline of " + ranges.size() + " stage(s) has no later stage to start");
        }
        StageProcesses p = new StageProcesses();
        try {
            String next = null;
            for (int s = ranges.size() - 1; s >= 1; s--) {
                LayerRange r = ranges.get(s);
                List<String> args = new ArrayList<>(List.of("stage", "--model", model.toString(),
                        "--layers", r.from() + ":" + r.to(), "--host", "127.0.0.1", "--port", "0",
                        "--kv-bytes", Long.toString(kvBytes), "--exit-with", Long.toString(owner)));
                if (next != null) {
                    args.addAll(List.of("--next", next));
                }
                args.addAll(modelArgs);
                int port = p.launch("stage " + r.from() + ":" + r.to(), args, heapMib);
                next = "127.0.0.1:" + port;
                p.firstPort = port;
            }
        } catch (IOException | RuntimeException e) {
            p.close();
            throw e;
        }
        return p;
    }

    /** The port of the second stage, the one the driver connects to. */
    public int firstPort() {
        return firstPort;
    }

    /** The stage JVMs, last stage first. */
    public List<Process> processes() {
        return List.copyOf(processes);
    }

    /** Starts one stage JVM and waits for its ready line; fails with its last output if it never comes. */
    private int launch(String name, List<String> args, int heapMib) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx" + heapMib + "m",
                "-XX:+UseParallelGC", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), KvasirCli.class.getName()));
        cmd.addAll(args);
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        processes.add(process);
        ArrayDeque<String> output = new ArrayDeque<>();
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name(name + "-output").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (output) {
                        output.addLast(line);
                        if (output.size() > KEPT_LINES) {
                            output.removeFirst();
                        }
                    }
                    if (line.startsWith(READY)) {
                        ready.complete(line);
                    }
                }
            } catch (IOException ignored) {
                // The stage ended; what it printed so far is kept.
            }
            synchronized (output) {
                ready.completeExceptionally(new IOException(name + " exited with " + exitCode(process) + ":\n"
                        + String.join("\n", output)));
            }
        });
        try {
            String line = ready.get(READY_SECONDS, TimeUnit.SECONDS);
            return Integer.parseInt(line.substring(line.lastIndexOf(':') + 1).trim());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(name + ": interrupted while waiting for it to listen", e);
        } catch (Exception e) {
            synchronized (output) {
                throw new IOException(name + " did not start listening: " + e.getMessage() + "\n" + String.join("\n", output), e);
            }
        }
    }

    private static String exitCode(Process p) {
        try {
            return p.waitFor(5, TimeUnit.SECONDS) ? Integer.toString(p.exitValue()) : "(still running)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(unknown)";
        }
    }

    private void destroyAll() {
        processes.forEach(Process::destroyForcibly);
    }

    /** Asks every stage to stop, kills those still running after a grace period, and waits for them to end. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running already and kills them.
        }
        processes.forEach(Process::destroy);
        try {
            for (Process p : processes) {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            destroyAll();
            Thread.currentThread().interrupt();
        }
    }
}
