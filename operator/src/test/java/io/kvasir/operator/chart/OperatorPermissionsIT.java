package io.kvasir.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.javaoperatorsdk.operator.Operator;
import io.kvasir.operator.KvasirOperator;
import io.kvasir.operator.api.AutoscalingSpec;
import io.kvasir.operator.api.KvasirCluster;
import io.kvasir.operator.api.KvasirClusterSpec;
import io.kvasir.operator.api.Pool;
import io.kvasir.operator.api.ScalingAction;
import io.kvasir.operator.autoscaler.Autoscaler;
import io.kvasir.operator.autoscaler.Histogram;
import io.kvasir.operator.autoscaler.LoadSample;
import io.kvasir.operator.autoscaler.PoolPods;
import io.kvasir.operator.reconciler.KvasirClusterReconciler;
import io.kvasir.operator.reconciler.Names;
import io.kvasir.operator.testing.Await;
import io.kvasir.operator.testing.Samples;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The chart's RBAC rules against the operator's real API calls. The operator runs against the mock API server
 * through every path that talks to the API (create, status, rollout, autoscaling with a drain, repair of edited
 * objects, events); every request it makes is mapped to the permission it needs. The chart must grant exactly
 * that set: nothing missing, which would fail in a cluster, and nothing more.
 */
@EnableKubernetesMockClient(crud = true)
class OperatorPermissionsIT {
    private static final String NS = "llm";
    private static final String AGENT = "kvasir-operator-under-test";

    KubernetesMockServer server;
    KubernetesClient client;

    @Test
    void theChartGrantsExactlyThePermissionsTheOperatorUses() throws InterruptedException {
        Samples.installCrd(client);
        KubernetesClient operatorClient = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(client.getConfiguration()).withUserAgent(AGENT).build()).build();
        Clock clock = Clock.systemUTC();
        var pods = new PoolPods(operatorClient);
        // Idle gateways and idle workers: the autoscaler shrinks prefill to its minimum through a drain.
        var idle = new LoadSample(clock.instant(), 0, 0, 0, 0, 0, Histogram.EMPTY, Histogram.EMPTY);
        var autoscaler = new Autoscaler(clock, cluster -> Optional.of(idle), pods, pod -> OptionalInt.of(0));
        Operator operator = KvasirOperator.start(operatorClient, new KvasirClusterReconciler(clock, autoscaler),
                Set.of());
        try {
            createPrefillPods();
            client.resource(fastScaling(Samples.exampleCluster(NS))).create();
            Await.until("a drained scale-down", () -> cluster().getStatus() != null
                    && cluster().getStatus().getLastScalingDecision() != null
                    && cluster().getStatus().getLastScalingDecision().action() == ScalingAction.SCALE_DOWN);
            Await.until("the drain and the scale-down as Events", () -> client.v1().events().inNamespace(NS).list()
                    .getItems().stream().map(e -> e.getReason()).toList()
                    .containsAll(List.of("DrainStarted", "ScaleDown")));
            Await.until("the prefill Deployment at its minimum", () -> client.apps().deployments().inNamespace(NS)
                    .withName("qwen-1m-prefill").get().getSpec().getReplicas() == 1);
            assertThat(client.pods().inNamespace(NS).list().getItems())
                    .as("the drained pod, and only it, is marked for the ReplicaSet to remove")
                    .filteredOn(p -> p.getMetadata().getAnnotations().containsKey(PoolPods.DELETION_COST))
                    .hasSize(1);
            markWorkloadsReady();
            Await.until("Ready", () -> cluster().getStatus().getConditions().stream()
                    .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True")));
            for (HasMetadata owned : owned()) {
                owned.getMetadata().getLabels().put("app.kubernetes.io/name", "edited");
                client.resource(owned).update();
            }
            Await.until("every edited object repaired", () -> owned().stream()
                    .allMatch(o -> "kvasir".equals(o.getMetadata().getLabels().get("app.kubernetes.io/name"))));
        } finally {
            operator.stop();
            operatorClient.close();
        }

        Set<String> used = new TreeSet<>();
        RecordedRequest request;
        while ((request = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
            if (AGENT.equals(request.getHeader("User-Agent"))) {
                used.add(ApiCall.permission(request.getMethod(), request.getPath()));
            }
        }
        var granted = RenderedChart.permissions(RenderedChart.render(Map.of()).ofType(ClusterRole.class)
                .getFirst().getRules());
        assertThat(granted).isEqualTo(used);
    }

    private KvasirCluster fastScaling(KvasirCluster cluster) {
        KvasirClusterSpec s = cluster.getSpec();
        cluster.setSpec(new KvasirClusterSpec(s.model(), s.image(), s.gateway(), s.prefill(), s.decode(),
                s.kvStore(), s.eventBus(), new AutoscalingSpec(true, 2.0, 0.1, 16, 1, 0, 0)));
        return cluster;
    }

    private void createPrefillPods() {
        KvasirCluster template = Samples.exampleCluster(NS);
        for (int i = 0; i < 2; i++) {
            var labels = new HashMap<>(Names.selector(template, Pool.PREFILL));
            labels.put(Names.SERVING, "true");
            client.resource(new PodBuilder()
                    .withNewMetadata().withName("prefill-" + i).withNamespace(NS).withLabels(labels).endMetadata()
                    .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                    .build()).create();
        }
    }

    private void markWorkloadsReady() {
        for (var deployment : client.apps().deployments().inNamespace(NS).list().getItems()) {
            int replicas = deployment.getSpec().getReplicas();
            deployment.setStatus(new DeploymentStatusBuilder().withReplicas(replicas).withReadyReplicas(replicas)
                    .build());
            client.resource(deployment).updateStatus();
        }
        var kvStore = client.apps().statefulSets().inNamespace(NS).list().getItems().getFirst();
        kvStore.setStatus(new StatefulSetStatusBuilder().withReplicas(3).withReadyReplicas(3).build());
        client.resource(kvStore).updateStatus();
    }

    private KvasirCluster cluster() {
        return client.resources(KvasirCluster.class).inNamespace(NS).withName("qwen-1m").get();
    }

    private List<HasMetadata> owned() {
        var all = new ArrayList<HasMetadata>();
        all.addAll(client.configMaps().inNamespace(NS).list().getItems());
        all.addAll(client.apps().deployments().inNamespace(NS).list().getItems());
        all.addAll(client.apps().statefulSets().inNamespace(NS).list().getItems());
        all.addAll(client.services().inNamespace(NS).list().getItems());
        all.addAll(client.policy().v1().podDisruptionBudget().inNamespace(NS).list().getItems());
        return all;
    }
}
