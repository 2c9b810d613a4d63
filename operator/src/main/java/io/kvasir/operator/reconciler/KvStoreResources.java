package io.kvasir.operator.reconciler;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.kvasir.operator.api.KvStoreSpec;
import io.kvasir.operator.api.KvasirCluster;
import io.kvasir.operator.api.Pool;
import java.util.Map;

/** The kv-store: Hazelcast members in a StatefulSet, found by each other through a headless Service. */
final class KvStoreResources {
    /** Hazelcast on Java 25 needs these opened (TOOLCHAIN.md); the heap is sized from the container limit. */
    static final String JAVA_OPTIONS = "-Dhazelcast.config=" + WorkerConfig.MOUNT_PATH + "/" + WorkerConfig.HAZELCAST
            + " -XX:MaxRAMPercentage=75 --add-modules java.se"
            + " --add-exports java.base/jdk.internal.ref=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED"
            + " --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.management/sun.management=ALL-UNNAMED"
            + " --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED";

    private KvStoreResources() {
    }

    static StatefulSet statefulSet(KvasirCluster cluster, String configHash) {
        KvStoreSpec kv = cluster.getSpec().kvStore();
        return new StatefulSetBuilder()
                .withNewMetadata()
                .withName(Names.workload(cluster, Pool.KV_STORE))
                .withNamespace(cluster.getMetadata().getNamespace())
                .withLabels(Names.labels(cluster, Pool.KV_STORE))
                .endMetadata()
                .withNewSpec()
                .withReplicas(kv.members())
                .withServiceName(Names.workload(cluster, Pool.KV_STORE))
                // Members join one another; starting them one by one only slows cluster formation.
                .withPodManagementPolicy("Parallel")
                .withNewSelector().withMatchLabels(Names.selector(cluster, Pool.KV_STORE)).endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(Names.labels(cluster, Pool.KV_STORE))
                .withAnnotations(Map.of(Names.CONFIG_HASH, configHash))
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName(Pool.KV_STORE.component())
                .withImage(cluster.getSpec().image().imageFor(Pool.KV_STORE.component()))
                .withImagePullPolicy(cluster.getSpec().image().pullPolicy())
                .addNewPort().withName("hazelcast").withContainerPort(WorkerConfig.HAZELCAST_PORT).endPort()
                .addNewEnv().withName("JAVA_TOOL_OPTIONS").withValue(JAVA_OPTIONS).endEnv()
                .addNewVolumeMount().withName("config").withMountPath(WorkerConfig.MOUNT_PATH).withReadOnly(true)
                .endVolumeMount()
                .withResources(resources(kv))
                .withNewReadinessProbe()
                .withNewTcpSocket().withPort(new IntOrString("hazelcast")).endTcpSocket()
                .withPeriodSeconds(10)
                .endReadinessProbe()
                .endContainer()
                .addNewVolume().withName("config").withNewConfigMap().withName(Names.config(cluster)).endConfigMap()
                .endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    /** Memory is both request and limit: a member evicted for memory pressure loses its primary copies. */
    private static ResourceRequirements resources(KvStoreSpec kv) {
        var builder = kv.resources() == null ? new ResourceRequirementsBuilder()
                : new ResourceRequirementsBuilder(kv.resources());
        return builder
                .addToRequests("memory", new Quantity(kv.memory()))
                .addToLimits("memory", new Quantity(kv.memory()))
                .build();
    }

    static Service headlessService(KvasirCluster cluster) {
        return new ServiceBuilder()
                .withNewMetadata()
                .withName(Names.workload(cluster, Pool.KV_STORE))
                .withNamespace(cluster.getMetadata().getNamespace())
                .withLabels(Names.labels(cluster, Pool.KV_STORE))
                .endMetadata()
                .withNewSpec()
                .withClusterIP("None")
                // Members must find each other before any of them is ready, or the cluster never forms.
                .withPublishNotReadyAddresses(true)
                .withSelector(Names.selector(cluster, Pool.KV_STORE))
                .addNewPort().withName("hazelcast").withPort(WorkerConfig.HAZELCAST_PORT)
                .withTargetPort(new IntOrString(WorkerConfig.HAZELCAST_PORT)).endPort()
                .endSpec()
                .build();
    }
}
