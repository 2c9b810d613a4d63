package io.kvasir.kvstore.bench;

import io.kvasir.kvstore.KvStoreMember;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** kv-store members as child processes on loopback, started from this JVM's classpath. */
final class MemberProcesses implements AutoCloseable {

    private static final List<String> FLAGS = List.of("--add-modules", "java.se",
            "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.management/sun.management=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "-Xmx1g", "-Dhazelcast.logging.type=none");

    private final List<Process> processes = new ArrayList<>();
    private final List<String> addresses = new ArrayList<>();
    private final String cluster;

    MemberProcesses(int count, int maxMib) throws Exception {
        for (int i = 0; i < count; i++) {
            try (ServerSocket s = new ServerSocket(0)) {
                addresses.add("127.0.0.1:" + s.getLocalPort());
            }
        }
        cluster = "kv-bench-" + addresses.getFirst().substring(10);
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        for (String address : addresses) {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(FLAGS);
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), KvStoreMember.class.getName(),
                    "--port", address.substring(address.indexOf(':') + 1), "--members", String.join(",", addresses),
                    "--cluster", cluster, "--max-mib", Integer.toString(maxMib)));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            processes.add(p);
            CompletableFuture<Void> up = new CompletableFuture<>();
            ready.add(up);
            Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        if (line.startsWith(KvStoreMember.READY)) {
                            up.complete(null);
                        }
                    }
                } catch (IOException ignored) {
                    // the member ended
                }
                up.completeExceptionally(new IllegalStateException("kv-store member " + address + " exited"));
            });
        }
        CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    }

    List<String> addresses() {
        return addresses;
    }

    String cluster() {
        return cluster;
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
