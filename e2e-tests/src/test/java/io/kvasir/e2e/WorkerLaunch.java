package io.kvasir.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the kv-store member and the prefill and decode workers are started and probed: the one place to change when
 * their packaging changes. The member is a plain main on this test's classpath; the workers are their packaged
 * Quarkus apps, launched as {@code ./kvasir up} launches them.
 */
final class WorkerLaunch {

    /** Hazelcast on JDK 25 needs these opens for the member. */
    private static final List<String> MEMBER_FLAGS = List.of("--add-modules", "java.se",
            "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.management/sun.management=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED", "-Dhazelcast.logging.type=none");
    private static final List<String> SMALL_HEAP = List.of("-Xmx384m", "-XX:+UseSerialGC");

    /** The decode worker's series of sequences in its batch. */
    static final String DECODE_RUNNING = "kvasir_requests_running";

    /** The decode worker's count of sequence steps (tokens generated after each sequence's first). */
    static final String DECODE_STEPS = "kvasir_generation_tokens_total";

    private WorkerLaunch() {
    }

    /** Where the cluster's processes listen and which event bus they use. */
    record Ports(String cluster, int member, int memberHttp, int prefill, List<Integer> decodes, String kafka) {}

    static List<String> kvStoreMember(Ports p) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(MEMBER_FLAGS);
        cmd.addAll(SMALL_HEAP);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.kvasir.kvstore.KvStoreMember",
                "--port", Integer.toString(p.member()), "--members", members(p), "--cluster", p.cluster(),
                "--http-port", Integer.toString(p.memberHttp()), "--max-mib", "256"));
        if (p.kafka() != null) {
            cmd.addAll(List.of("--kafka", p.kafka()));
        }
        return cmd;
    }

    static List<String> prefillWorker(Path model, Ports p) {
        Map<String, String> config = config(model, p, p.prefill());
        config.put("kvasir.prefill.queue", "32");
        return worker("kvasir.prefill.app", "../prefill-workers/target/quarkus-app/quarkus-run.jar", config);
    }

    static List<String> decodeWorker(Path model, Ports p, int port) {
        Map<String, String> config = config(model, p, port);
        config.put("kvasir.decode.max-batch", "16");
        config.put("kvasir.decode.queue", "32");
        return worker("kvasir.decode.app", "../decode-workers/target/quarkus-app/quarkus-run.jar", config);
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

    /** Ready once it reaches the kv-store. */
    static String health(String workerUrl) {
        return workerUrl + "/q/health/ready";
    }

    /** The decode worker's Prometheus text. */
    static String decodeMetrics(int port) {
        return decodeUrl(port) + "/q/metrics";
    }

    static String members(Ports p) {
        return "127.0.0.1:" + p.member();
    }

    private static Map<String, String> config(Path model, Ports p, int port) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("quarkus.http.port", Integer.toString(port));
        config.put("kvasir.model", model.toString());
        config.put("kvasir.kv-store.members", members(p));
        config.put("kvasir.kv-store.cluster-name", p.cluster());
        config.put("kvasir.engine.kv-cache-mib", "64");
        if (p.kafka() != null) {
            config.put("kafka.bootstrap.servers", p.kafka());
        }
        return config;
    }

    /** {@code java --add-modules jdk.incubator.vector -D… -jar app}: the app's manifest carries the other flags. */
    private static List<String> worker(String appProperty, String fallback, Map<String, String> config) {
        Path app = Path.of(System.getProperty(appProperty, fallback));
        if (!Files.isRegularFile(app)) {
            throw new IllegalStateException(app + " is missing: package the workers first (mvn -pl e2e-tests -am verify)");
        }
        List<String> cmd = new ArrayList<>(List.of(java(), "--add-modules", "jdk.incubator.vector"));
        cmd.addAll(SMALL_HEAP);
        config.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", app.toString()));
        return cmd;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
