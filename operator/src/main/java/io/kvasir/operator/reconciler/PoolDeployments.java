package io.kvasir.operator.reconciler;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.kvasir.operator.api.KvasirCluster;
import io.kvasir.operator.api.KvasirClusterSpec;
import io.kvasir.operator.api.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The Deployments of the gateway, prefill and decode pools. */
final class PoolDeployments {
    /** Workers finish in-flight requests on SIGTERM; a long prompt's prefill or a long answer can take minutes. */
    static final long WORKER_GRACE_SECONDS = 300;
    static final long GATEWAY_GRACE_SECONDS = 60;
    /** The Vector API is an incubator module and the engine maps weights with FFM (TOOLCHAIN.md). */
    static final String JAVA_OPTIONS = "--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED";

    private PoolDeployments() {
    }

    static Deployment build(KvasirCluster cluster, Pool pool, int replicas, String configHash) {
        KvasirClusterSpec spec = cluster.getSpec();
        boolean worker = pool != Pool.GATEWAY;
        var volumes = new ArrayList<>(List.of(new VolumeBuilder()
                .withName("config")
                .withNewConfigMap().withName(Names.config(cluster)).endConfigMap()
                .build()));
        var container = new ContainerBuilder(container(cluster, pool, resources(spec, pool)));
        if (worker && spec.model().persistentVolumeClaim() != null) {
            volumes.add(new VolumeBuilder()
                    .withName("model")
                    .withNewPersistentVolumeClaim(spec.model().persistentVolumeClaim(), true)
                    .build());
            container.addToVolumeMounts(new VolumeMountBuilder()
                    .withName("model").withMountPath(spec.model().mountPath()).withReadOnly(true).build());
        }
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName(Names.workload(cluster, pool))
                .withNamespace(cluster.getMetadata().getNamespace())
                .withLabels(Names.labels(cluster, pool))
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector().withMatchLabels(Names.selector(cluster, pool)).endSelector()
                .withNewStrategy()
                .withType("RollingUpdate")
                // Never drop below the serving count during a rollout: a missing worker is a missed SLO.
                .withNewRollingUpdate().withMaxUnavailable(new IntOrString(0)).withMaxSurge(new IntOrString(1))
                .endRollingUpdate()
                .endStrategy()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(Names.podLabels(cluster, pool))
                .withAnnotations(podAnnotations(configHash))
                .endMetadata()
                .withSpec(new PodSpecBuilder()
                        .withTerminationGracePeriodSeconds(worker ? WORKER_GRACE_SECONDS : GATEWAY_GRACE_SECONDS)
                        .withContainers(container.build())
                        .withVolumes(volumes)
                        .build())
                .endTemplate()
                .endSpec()
                .build();
    }

    static Map<String, String> podAnnotations(String configHash) {
        return Map.of(
                Names.CONFIG_HASH, configHash,
                "prometheus.io/scrape", "true",
                "prometheus.io/path", "/q/metrics",
                "prometheus.io/port", Integer.toString(WorkerConfig.HTTP_PORT));
    }

    private static Container container(KvasirCluster cluster, Pool pool, ResourceRequirements resources) {
        return new ContainerBuilder()
                .withName(pool.component())
                .withImage(cluster.getSpec().image().imageFor(pool.component()))
                .withImagePullPolicy(cluster.getSpec().image().pullPolicy())
                .addNewPort().withName("http").withContainerPort(WorkerConfig.HTTP_PORT).endPort()
                .withEnv(
                        new EnvVar("QUARKUS_CONFIG_LOCATIONS",
                                WorkerConfig.MOUNT_PATH + "/" + WorkerConfig.PROPERTIES, null),
                        new EnvVar("JAVA_TOOL_OPTIONS", JAVA_OPTIONS, null))
                .addNewVolumeMount().withName("config").withMountPath(WorkerConfig.MOUNT_PATH).withReadOnly(true)
                .endVolumeMount()
                .withResources(resources)
                .withReadinessProbe(httpProbe("/q/health/ready"))
                .withLivenessProbe(httpProbe("/q/health/live"))
                .build();
    }

    private static Probe httpProbe(String path) {
        return new ProbeBuilder()
                .withNewHttpGet().withPath(path).withPort(new IntOrString("http")).endHttpGet()
                .withPeriodSeconds(10)
                .withFailureThreshold(3)
                .build();
    }

    private static ResourceRequirements resources(KvasirClusterSpec spec, Pool pool) {
        return switch (pool) {
            case GATEWAY -> spec.gateway().resources();
            case PREFILL -> spec.prefill().resources();
            case DECODE -> spec.decode().resources();
            case KV_STORE -> throw new IllegalArgumentException("the kv-store is a StatefulSet");
        };
    }
}
