package io.kvasir.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The four-process path on loopback: a kv-store member, a prefill worker and a decode worker (each its own JVM),
 * and the gateway JVM routing to them, with the event bus on Kafka when a broker is given, else on the member's
 * Hazelcast topics.
 */
final class DisaggregatedCluster implements AutoCloseable {

    private final List<AutoCloseable> started = new ArrayList<>();
    final WorkerLaunch.Ports ports;
    /** The first decode worker. */
    ServiceProcess decode;
    GatewayProcess gateway;

    /** How long the gateway lets a decode stream stay silent: long enough for a loaded machine, short for a test. */
    static final int SILENCE_LIMIT_SECONDS = 10;

    private DisaggregatedCluster(WorkerLaunch.Ports ports) {
        this.ports = ports;
    }

    /** One decode worker; {@code kafka}: bootstrap servers, or null for the Hazelcast topics. */
    static DisaggregatedCluster start(Path model, String kafka, Path logDir) throws Exception {
        return start(model, kafka, logDir, 1);
    }

    static DisaggregatedCluster start(Path model, String kafka, Path logDir, int decodeWorkers) throws Exception {
        List<Integer> decodePorts = new ArrayList<>();
        for (int i = 0; i < decodeWorkers; i++) {
            decodePorts.add(ServiceProcess.freePort());
        }
        WorkerLaunch.Ports p = new WorkerLaunch.Ports("e2e-" + UUID.randomUUID().toString().substring(0, 8),
                ServiceProcess.freePort(), ServiceProcess.freePort(), ServiceProcess.freePort(), decodePorts, kafka);
        DisaggregatedCluster c = new DisaggregatedCluster(p);
        try {
            ServiceProcess member = c.add(ServiceProcess.start("kv-store-" + p.member(), WorkerLaunch.kvStoreMember(p), logDir));
            member.awaitHealthy(WorkerLaunch.memberHealth(p), 120);
            ServiceProcess prefill = c.add(ServiceProcess.start("prefill-" + p.prefill(), WorkerLaunch.prefillWorker(model, p), logDir));
            List<ServiceProcess> decodes = new ArrayList<>();
            for (int port : decodePorts) {
                decodes.add(c.add(ServiceProcess.start("decode-" + port, WorkerLaunch.decodeWorker(model, p, port), logDir)));
            }
            c.decode = decodes.getFirst();
            prefill.awaitHealthy(WorkerLaunch.health(WorkerLaunch.prefillUrl(p)), 180);
            for (int i = 0; i < decodes.size(); i++) {
                decodes.get(i).awaitHealthy(WorkerLaunch.health(WorkerLaunch.decodeUrl(decodePorts.get(i))), 180);
            }
            String decodeUrls = String.join(",", decodePorts.stream().map(WorkerLaunch::decodeUrl).toList());
            Map<String, String> gateway = new java.util.HashMap<>(Map.of("kvasir.backend", "workers",
                    "kvasir.prefill-urls", WorkerLaunch.prefillUrl(p), "kvasir.decode-urls", decodeUrls,
                    "kvasir.kv-store.members", WorkerLaunch.members(p), "kvasir.kv-store.cluster-name", p.cluster(),
                    "kvasir.gateway.decode-idle-timeout", SILENCE_LIMIT_SECONDS + "s"));
            if (kafka != null) {
                gateway.put("kafka.bootstrap.servers", kafka);
            }
            c.gateway = c.add(GatewayProcess.start(model, gateway, logDir));
            return c;
        } catch (Exception e) {
            c.close();
            throw e;
        }
    }

    private <T extends AutoCloseable> T add(T process) {
        started.add(process);
        return process;
    }

    @Override
    public void close() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
    }
}
