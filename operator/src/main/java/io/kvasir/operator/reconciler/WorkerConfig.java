package io.kvasir.operator.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.kvasir.operator.api.EventBusMode;
import io.kvasir.operator.api.KvasirCluster;
import io.kvasir.operator.api.KvasirClusterSpec;
import io.kvasir.operator.api.Pool;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The ConfigMap every Kvasir container reads: {@code application.properties} for the Quarkus services and
 * {@code hazelcast.yaml} for the kv-store members.
 */
final class WorkerConfig {
    static final String PROPERTIES = "application.properties";
    static final String HAZELCAST = "hazelcast.yaml";
    static final String MOUNT_PATH = "/etc/kvasir";
    static final int HAZELCAST_PORT = 5701;
    static final int HTTP_PORT = 8080;
    static final String BLOCK_MAP = "kvasir-blocks";

    private WorkerConfig() {
    }

    static ConfigMap build(KvasirCluster cluster) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(Names.config(cluster))
                .withNamespace(cluster.getMetadata().getNamespace())
                .withLabels(Names.clusterLabels(cluster))
                .endMetadata()
                .addToData(PROPERTIES, properties(cluster))
                .addToData(HAZELCAST, hazelcast(cluster))
                .build();
    }

    static String properties(KvasirCluster cluster) {
        KvasirClusterSpec spec = cluster.getSpec();
        // Sorted so the text, and the config hash that rolls pods, only changes when a value does.
        Map<String, String> keys = new TreeMap<>();
        keys.put("kvasir.model", spec.model().path());                     // the key gateway and workers read
        keys.put("kvasir.kv-store.cluster-name", Names.kvStoreClusterName(cluster));
        keys.put("kvasir.kv-store.members", Names.kvStoreDns(cluster) + ":" + HAZELCAST_PORT);
        if (spec.eventBus().mode() == EventBusMode.KAFKA) {
            keys.put("kafka.bootstrap.servers", spec.eventBus().kafkaBootstrapServers());
        }
        keys.put("kvasir.prefill.sparse.method", spec.prefill().sparse().method().configValue());
        keys.put("kvasir.prefill.sparse.length-threshold", spec.prefill().sparse().lengthThreshold().toString());
        if (spec.prefill().sparse().patternFile() != null) {
            keys.put("kvasir.prefill.sparse.pattern-file", spec.prefill().sparse().patternFile());
        }
        keys.put("kvasir.decode.pipeline-stages", spec.decode().pipelineStages().toString());
        keys.put("kvasir.decode.expert-cache-size", spec.decode().expertCacheSize().toString());
        keys.put("kvasir.gateway.prefill-service", Names.workload(cluster, Pool.PREFILL));
        keys.put("kvasir.gateway.decode-service", Names.workload(cluster, Pool.DECODE));
        keys.put("quarkus.http.port", Integer.toString(HTTP_PORT));
        // Services bind loopback by default (safe for `./kvasir up`); in a pod they must answer on the pod's address.
        keys.put("quarkus.http.host", "0.0.0.0");
        return keys.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n", "", "\n"));
    }

    static String hazelcast(KvasirCluster cluster) {
        int backups = cluster.getSpec().kvStore().backupCount();
        return """
                hazelcast:
                  cluster-name: %s
                  network:
                    port:
                      port: %d
                      auto-increment: false
                    join:
                      multicast:
                        enabled: false
                      auto-detection:
                        enabled: false
                      kubernetes:
                        enabled: true
                        service-dns: %s
                        service-port: %d
                  map:
                    %s:
                      backup-count: %d
                      eviction:
                        eviction-policy: LRU
                        max-size-policy: USED_HEAP_PERCENTAGE
                        size: 80
                """.formatted(Names.kvStoreClusterName(cluster), HAZELCAST_PORT, Names.kvStoreDns(cluster),
                HAZELCAST_PORT, BLOCK_MAP, backups);
    }
}
