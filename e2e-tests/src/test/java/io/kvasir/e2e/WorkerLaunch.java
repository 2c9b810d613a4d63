package io.kvasir.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the kv-store member and the prefill and decode workers are started and probed: the one place to change when
 * their packaging changes (today plain mains on this test's classpath, the way {@code ./kvasir up} runs them).
 */
final class WorkerLaunch {

    /** Hazelcast on JDK 25 needs these opens; the engine needs the Vector API. */
    private static final List<String> JVM_FLAGS = List.of("--add-modules", "jdk.incubator.vector,java.se",
            "--enable-native-access=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.management/sun.management=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "-Xmx384m", "-XX:+UseSerialGC", "-Dhazelcast.logging.type=none", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");

    private WorkerLaunch() {
    }

    /** Where the cluster's processes listen and which event bus they use. */
    record Ports(String cluster, int member, int memberHttp, int prefill, List<Integer> decodes, String kafka) {}

    static List<String> kvStoreMember(Ports p) {
        return command("io.kvasir.kvstore.KvStoreMember", withKafka(p, List.of("--port", Integer.toString(p.member()),
                "--members", members(p), "--cluster", p.cluster(), "--http-port", Integer.toString(p.memberHttp()),
                "--max-mib", "256")));
    }

    static List<String> prefillWorker(Path model, Ports p) {
        return command("io.kvasir.prefill.PrefillServer", withKafka(p, List.of("--model", model.toString(),
                "--port", Integer.toString(p.prefill()), "--members", members(p), "--cluster", p.cluster(),
                "--kv-mib", "64", "--queue", "32")));
    }

    static List<String> decodeWorker(Path model, Ports p, int port) {
        return command("io.kvasir.decode.DecodeServer", withKafka(p, List.of("--model", model.toString(),
                "--port", Integer.toString(port), "--members", members(p), "--cluster", p.cluster(),
                "--kv-mib", "64", "--max-batch", "16", "--queue", "32")));
    }

    static String memberHealth(Ports p) {
        return "http://127.0.0.1:" + p.memberHttp() + "/health";
    }

    static String prefillUrl(Ports p) {
        return "http://127.0.0.1:" + p.prefill();
    }

    static String decodeUrl(int port) {
        return "http://127.0.0.1:" + port;
    }

    static String health(String workerUrl) {
        return workerUrl + "/health";
    }

    /** The decode worker's Prometheus text. */
    static String decodeMetrics(int port) {
        return decodeUrl(port) + "/metrics";
    }

    /** The decode worker's series of sequences in its batch. */
    static final String DECODE_RUNNING = "kvasir_running_requests";

    /** The decode worker's count of sequence steps (tokens generated after each sequence's first). */
    static final String DECODE_STEPS = "kvasir_generation_tokens_total";

    static String members(Ports p) {
        return "127.0.0.1:" + p.member();
    }

    private static List<String> withKafka(Ports p, List<String> args) {
        List<String> out = new ArrayList<>(args);
        if (p.kafka() != null) {
            out.addAll(List.of("--kafka", p.kafka()));
        }
        return out;
    }

    private static List<String> command(String main, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_FLAGS);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main);
        cmd.addAll(args);
        return cmd;
    }
}
