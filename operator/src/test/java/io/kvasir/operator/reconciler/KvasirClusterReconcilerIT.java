package io.kvasir.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.Operator;
import io.kvasir.operator.KvasirOperator;
import io.kvasir.operator.api.EventBusMode;
import io.kvasir.operator.api.EventBusSpec;
import io.kvasir.operator.api.GatewayPoolSpec;
import io.kvasir.operator.api.ImageSpec;
import io.kvasir.operator.api.KvasirCluster;
import io.kvasir.operator.api.KvasirClusterSpec;
import io.kvasir.operator.api.PrefillPoolSpec;
import io.kvasir.operator.api.SparseAttentionSpec;
import io.kvasir.operator.api.SparseMethod;
import io.kvasir.operator.autoscaler.Autoscaler;
import io.kvasir.operator.autoscaler.PoolPods;
import io.kvasir.operator.testing.Await;
import io.kvasir.operator.testing.MutableClock;
import io.kvasir.operator.testing.Samples;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The reconciler against Fabric8's mock API server in CRUD mode, driven through a running operator. */
@EnableKubernetesMockClient(crud = true)
class KvasirClusterReconcilerIT {
    private static final String NS = "llm";

    KubernetesClient client;
    private Operator operator;

    @BeforeEach
    void startOperator() {
        Samples.installCrd(client);
        var clock = new MutableClock(Instant.parse("2026-11-26T04:00:00Z"));
        var pods = new PoolPods(client);
        // No gateway answers here: the autoscaler never gets a sample, so replicas stay as the spec says.
        var autoscaler = new Autoscaler(clock, cluster -> Optional.empty(), pods, pod -> OptionalInt.empty());
        operator = KvasirOperator.start(client, new KvasirClusterReconciler(clock, autoscaler), Set.of());
    }

    @AfterEach
    void stopOperator() {
        operator.stop();
    }

    @Test
    void creatingAClusterCreatesEveryOwnedResourceWithItsSpec() {
        KvasirCluster cluster = client.resource(Samples.exampleCluster(NS)).create();
        Await.until("every owned resource", () -> ownedResources().size() == 13);

        ConfigMap config = client.configMaps().inNamespace(NS).withName("qwen-1m-config").get();
        assertThat(config.getData().get("application.properties")).contains(
                "kvasir.model=/models/Qwen2.5-7B-Instruct-1M\n",
                "kvasir.kv-store.members=qwen-1m-kv-store.llm.svc.cluster.local:5701\n",
                "kvasir.kv-store.cluster-name=qwen-1m-kv\n",
                "kvasir.prefill.sparse.method=vertical-slash\n",
                "kvasir.decode.pipeline-stages=1\n",
                "kvasir.decode.expert-cache-size=0\n");
        assertThat(config.getData().get("application.properties")).doesNotContain("kafka");
        assertThat(config.getData().get("hazelcast.yaml")).contains(
                "service-dns: qwen-1m-kv-store.llm.svc.cluster.local", "backup-count: 1", "multicast:\n        enabled: false");

        Deployment prefill = deployment("qwen-1m-prefill");
        assertThat(prefill.getSpec().getReplicas()).isEqualTo(2);
        Container container = prefill.getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(container.getImage()).isEqualTo("ghcr.io/kvasir/kvasir-prefill:0.1.0");
        assertThat(container.getResources().getRequests()).containsEntry("cpu", new Quantity("8"));
        assertThat(container.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getMountPath()).isEqualTo("/models");
            assertThat(m.getReadOnly()).isTrue();
        });
        assertThat(prefill.getSpec().getTemplate().getSpec().getVolumes())
                .filteredOn(v -> v.getPersistentVolumeClaim() != null)
                .singleElement()
                .satisfies(v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("kvasir-models"));
        assertThat(prefill.getSpec().getSelector().getMatchLabels()).doesNotContainKey(Names.SERVING);
        assertThat(prefill.getSpec().getTemplate().getMetadata().getLabels()).containsEntry(Names.SERVING, "true");
        assertThat(deployment("qwen-1m-gateway").getSpec().getReplicas()).isEqualTo(2);
        assertThat(deployment("qwen-1m-decode").getSpec().getTemplate().getSpec().getContainers().getFirst()
                .getImage()).isEqualTo("ghcr.io/kvasir/kvasir-decode:0.1.0");

        StatefulSet kvStore = client.apps().statefulSets().inNamespace(NS).withName("qwen-1m-kv-store").get();
        assertThat(kvStore.getSpec().getReplicas()).isEqualTo(3);
        assertThat(kvStore.getSpec().getServiceName()).isEqualTo("qwen-1m-kv-store");
        assertThat(kvStore.getSpec().getTemplate().getSpec().getContainers().getFirst().getResources().getLimits())
                .containsEntry("memory", new Quantity("8Gi"));
        Service kvService = client.services().inNamespace(NS).withName("qwen-1m-kv-store").get();
        assertThat(kvService.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(kvService.getSpec().getPublishNotReadyAddresses()).isTrue();
        Service gateway = client.services().inNamespace(NS).withName("qwen-1m-gateway").get();
        assertThat(gateway.getSpec().getPorts().getFirst().getPort()).isEqualTo(80);
        assertThat(client.services().inNamespace(NS).withName("qwen-1m-decode").get().getSpec().getSelector())
                .containsEntry(Names.SERVING, "true");
        PodDisruptionBudget kvBudget = client.policy().v1().podDisruptionBudget().inNamespace(NS)
                .withName("qwen-1m-kv-store").get();
        assertThat(kvBudget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);

        String uid = client.resource(cluster).get().getMetadata().getUid();
        assertThat(ownedResources()).allSatisfy(r -> {
            OwnerReference owner = r.getMetadata().getOwnerReferences().getFirst();
            assertThat(owner.getUid()).isEqualTo(uid);
            assertThat(owner.getKind()).isEqualTo("KvasirCluster");
            assertThat(owner.getController()).isTrue();
        });
        Await.until("a ResourcesApplied event", () -> events().stream()
                .anyMatch(e -> e.getReason().equals("ResourcesApplied")
                        && e.getMessage().contains("created Deployment qwen-1m-prefill")));
    }

    @Test
    void editingTheSpecUpdatesOwnedResources() {
        client.resource(Samples.exampleCluster(NS)).create();
        Await.until("the prefill Deployment", () -> deployment("qwen-1m-prefill") != null);
        String hashBefore = configHash(deployment("qwen-1m-prefill"));

        editRetryingConflicts("qwen-1m", c -> {
            var spec = c.getSpec();
            var p = spec.prefill();
            c.setSpec(new KvasirClusterSpec(spec.model(),
                    new ImageSpec("registry.example/kvasir", "0.2.0", "Always"),
                    new GatewayPoolSpec(3, spec.gateway().resources()),
                    new PrefillPoolSpec(p.replicas(), p.minReplicas(), p.maxReplicas(), p.resources(),
                            new SparseAttentionSpec(
                                    SparseMethod.SEER, 65536, null),
                            p.tokensPerSecondPerReplica()),
                    spec.decode(), spec.kvStore(),
                    new EventBusSpec(EventBusMode.KAFKA, "kafka:9092"),
                    spec.autoscaling()));
            return c;
        });

        Await.until("the new image", () -> deployment("qwen-1m-prefill").getSpec().getTemplate().getSpec()
                .getContainers().getFirst().getImage().equals("registry.example/kvasir/kvasir-prefill:0.2.0"));
        assertThat(deployment("qwen-1m-gateway").getSpec().getReplicas()).isEqualTo(3);
        String properties = client.configMaps().inNamespace(NS).withName("qwen-1m-config").get().getData()
                .get("application.properties");
        assertThat(properties).contains("kvasir.prefill.sparse.method=seer\n",
                "kvasir.prefill.sparse.length-threshold=65536\n",
                "kafka.bootstrap.servers=kafka:9092\n");
        assertThat(configHash(deployment("qwen-1m-prefill")))
                .as("a config change rolls the pods").isNotEqualTo(hashBefore);
        Await.until("the kv-store's new pull policy", () -> client.apps().statefulSets().inNamespace(NS)
                .withName("qwen-1m-kv-store").get().getSpec().getTemplate().getSpec().getContainers().getFirst()
                .getImagePullPolicy().equals("Always"));
    }

    @Test
    void conditionsGoFromProgressingToReadyAsWorkloadsBecomeReady() {
        client.resource(Samples.exampleCluster(NS)).create();
        Await.until("Progressing", () -> condition("Progressing").filter(c -> c.getStatus().equals("True"))
                .isPresent());
        assertThat(condition("Ready").orElseThrow().getStatus()).isEqualTo("False");
        assertThat(condition("Ready").orElseThrow().getMessage()).contains("prefill 0/2");
        assertThat(cluster().getStatus().getObservedGeneration()).isEqualTo(cluster().getMetadata().getGeneration());

        for (String name : List.of("qwen-1m-gateway", "qwen-1m-prefill", "qwen-1m-decode")) {
            Deployment d = deployment(name);
            d.setStatus(new DeploymentStatusBuilder().withReplicas(2).withReadyReplicas(2).build());
            client.resource(d).updateStatus();
        }
        StatefulSet kv = client.apps().statefulSets().inNamespace(NS).withName("qwen-1m-kv-store").get();
        kv.setStatus(new StatefulSetStatusBuilder().withReplicas(2).withReadyReplicas(2).build());
        client.resource(kv).updateStatus();
        Await.until("kv-store 2/3 reported", () -> condition("Ready").orElseThrow().getMessage()
                .equals("waiting for kvStore 2/3"));

        kv = client.apps().statefulSets().inNamespace(NS).withName("qwen-1m-kv-store").get();
        kv.setStatus(new StatefulSetStatusBuilder().withReplicas(3).withReadyReplicas(3).build());
        client.resource(kv).updateStatus();
        Await.until("Ready", () -> condition("Ready").filter(c -> c.getStatus().equals("True")).isPresent());
        assertThat(condition("Progressing").orElseThrow().getStatus()).isEqualTo("False");
        assertThat(condition("Degraded").orElseThrow().getStatus()).isEqualTo("False");
        assertThat(cluster().getStatus().getPools().get("kvStore").getReadyReplicas()).isEqualTo(3);
        assertThat(cluster().getStatus().getPools().get("prefill").getDesiredReplicas()).isEqualTo(2);
        Await.until("a Ready event", () -> events().stream().anyMatch(e -> e.getReason().equals("Ready")));
    }

    @Test
    void deletingTheClusterRemovesOwnedResourcesThroughOwnerReferences() {
        client.resource(Samples.exampleCluster(NS)).create();
        Await.until("every owned resource", () -> ownedResources().size() == 13);
        String uid = cluster().getMetadata().getUid();

        client.resource(cluster()).delete();
        Await.until("the cluster is gone", () -> cluster() == null);
        // The mock server has no garbage collector; this does its job: delete what names the deleted owner, again
        // until nothing is left (as the real collector does), since a reconcile already under way when the cluster
        // was deleted may still write an object after one sweep — CI saw a StatefulSet and two PDBs survive one.
        Await.until("owned resources are collected", () -> {
            ownedResources().stream()
                    .filter(r -> r.getMetadata().getOwnerReferences().stream().anyMatch(o -> o.getUid().equals(uid)))
                    .forEach(r -> client.resource(r).delete());
            return ownedResources().isEmpty();
        });
        // Nothing comes back: the operator does not reconcile a deleted cluster.
        try {
            Thread.sleep(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertThat(ownedResources()).isEmpty();
        assertThat(client.apps().deployments().inNamespace(NS).list().getItems()).isEmpty();
    }

    @Test
    void anInvalidSpecIsRejectedWithAClearCondition() {
        KvasirCluster invalid = Samples.exampleCluster(NS);
        var p = invalid.getSpec().prefill();
        var spec = invalid.getSpec();
        invalid.setSpec(new KvasirClusterSpec(spec.model(), spec.image(), spec.gateway(),
                new PrefillPoolSpec(2, 3, 2, p.resources(), p.sparse(), p.tokensPerSecondPerReplica()),
                spec.decode(), spec.kvStore(),
                new EventBusSpec(EventBusMode.KAFKA, null),
                spec.autoscaling()));
        client.resource(invalid).create();

        Await.until("Degraded", () -> condition("Degraded").filter(c -> c.getStatus().equals("True")).isPresent());
        Condition degraded = condition("Degraded").orElseThrow();
        assertThat(degraded.getReason()).isEqualTo("InvalidSpec");
        assertThat(degraded.getMessage()).contains("spec.prefill.minReplicas (3) exceeds maxReplicas (2)",
                "spec.eventBus.kafkaBootstrapServers is required when spec.eventBus.mode is kafka");
        assertThat(condition("Ready").orElseThrow().getStatus()).isEqualTo("False");
        assertThat(ownedResources()).isEmpty();
        Await.until("an InvalidSpec warning event", () -> events().stream()
                .anyMatch(e -> e.getReason().equals("InvalidSpec") && e.getType().equals("Warning")));
    }

    private KvasirCluster cluster() {
        return client.resources(KvasirCluster.class).inNamespace(NS).withName("qwen-1m").get();
    }

    private Optional<Condition> condition(String type) {
        KvasirCluster c = cluster();
        if (c == null || c.getStatus() == null) {
            return Optional.empty();
        }
        return c.getStatus().getConditions().stream().filter(x -> x.getType().equals(type)).findFirst();
    }

    private Deployment deployment(String name) {
        return client.apps().deployments().inNamespace(NS).withName(name).get();
    }

    private static String configHash(Deployment deployment) {
        return deployment.getSpec().getTemplate().getMetadata().getAnnotations().get("kvasir.io/config-hash");
    }

    private List<Event> events() {
        return client.v1().events().inNamespace(NS).list().getItems();
    }

    private List<HasMetadata> ownedResources() {
        var all = new ArrayList<HasMetadata>();
        all.addAll(client.configMaps().inNamespace(NS).list().getItems());
        all.addAll(client.apps().deployments().inNamespace(NS).list().getItems());
        all.addAll(client.apps().statefulSets().inNamespace(NS).list().getItems());
        all.addAll(client.services().inNamespace(NS).list().getItems());
        all.addAll(client.policy().v1().podDisruptionBudget().inNamespace(NS).list().getItems());
        return all;
    }

    /**
     * Edits a cluster as `kubectl edit` would, again on a 409: the operator writes the cluster's status while it
     * reconciles, and an edit based on the version read just before loses that race now and then.
     */
    private void editRetryingConflicts(String name, java.util.function.UnaryOperator<KvasirCluster> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                client.resources(KvasirCluster.class).inNamespace(NS).withName(name).edit(change);
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e;
                }
            }
        }
    }
}
