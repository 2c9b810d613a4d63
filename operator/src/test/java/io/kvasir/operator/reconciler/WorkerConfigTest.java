package io.kvasir.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.kvasir.operator.api.KvasirCluster;
import io.kvasir.operator.api.Pool;
import io.kvasir.operator.testing.Samples;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerConfigTest {
    private final KvasirCluster cluster = Samples.exampleCluster("llm");

    @Test
    void propertiesCarryTheWorkersKeys() {
        assertThat(WorkerConfig.properties(cluster)).isEqualTo("""
                kvasir.decode.expert-cache-size=0
                kvasir.decode.pipeline-stages=1
                kvasir.gateway.decode-service=qwen-1m-decode
                kvasir.gateway.prefill-service=qwen-1m-prefill
                kvasir.kv-store.cluster-name=qwen-1m-kv
                kvasir.kv-store.members=qwen-1m-kv-store.llm.svc.cluster.local:5701
                kvasir.model=/models/Qwen2.5-7B-Instruct-1M
                kvasir.prefill.sparse.length-threshold=32768
                kvasir.prefill.sparse.method=vertical-slash
                quarkus.http.host=0.0.0.0
                quarkus.http.port=8080
                """);
    }

    @Test
    void hazelcastUsesKubernetesDnsDiscoveryAndNeverMulticast() throws Exception {
        JsonNode hz = new ObjectMapper(new YAMLFactory()).readTree(WorkerConfig.hazelcast(cluster)).get("hazelcast");
        assertThat(hz.get("cluster-name").asText()).isEqualTo("qwen-1m-kv");
        JsonNode join = hz.get("network").get("join");
        assertThat(join.get("multicast").get("enabled").asBoolean()).isFalse();
        assertThat(join.get("auto-detection").get("enabled").asBoolean()).isFalse();
        assertThat(join.get("kubernetes").get("service-dns").asText())
                .isEqualTo("qwen-1m-kv-store.llm.svc.cluster.local");
        assertThat(hz.get("map").get("kvasir-blocks").get("backup-count").asInt()).isEqualTo(1);
    }

    @Test
    void aConfigChangeChangesThePodTemplatesHash() {
        var before = (Deployment) DesiredResources.of(cluster,
                Map.of(Pool.GATEWAY, 1, Pool.PREFILL, 1, Pool.DECODE, 1)).get(3);
        var edited = Samples.exampleCluster("other-namespace");
        var after = (Deployment) DesiredResources.of(edited,
                Map.of(Pool.GATEWAY, 1, Pool.PREFILL, 1, Pool.DECODE, 1)).get(3);
        assertThat(before.getMetadata().getName()).isEqualTo("qwen-1m-prefill");
        assertThat(after.getSpec().getTemplate().getMetadata().getAnnotations().get(Names.CONFIG_HASH))
                .isNotEqualTo(before.getSpec().getTemplate().getMetadata().getAnnotations().get(Names.CONFIG_HASH));
    }
}
