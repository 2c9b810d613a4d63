package io.kvasir.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.kvasir.operator.api.KvasirCluster;
import io.kvasir.operator.testing.Samples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Helm chart, linted and rendered by Helm itself (helm-java) and read back with the Fabric8 client. */
class HelmChartIT {
    @Test
    void lintStrictPasses() {
        LintResult result = new Helm(Samples.chartDir()).lint().strict().call();
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    }

    @Test
    void defaultValuesRenderAClusterWideOperator() {
        RenderedChart chart = RenderedChart.render(Map.of());

        assertThat(RenderedChart.kinds(chart))
                .containsExactly("ClusterRole", "ClusterRoleBinding", "Deployment", "ServiceAccount");
        assertEveryObjectIsTyped(chart);
        Deployment operator = chart.ofType(Deployment.class).getFirst();
        var container = operator.getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(container.getImage()).isEqualTo("ghcr.io/kvasir/kvasir-operator:0.1.0");
        assertThat(container.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("WATCH_NAMESPACES");
            assertThat(e.getValue()).isEmpty();
        });
        assertThat(operator.getSpec().getReplicas()).isEqualTo(1);
        assertThat(operator.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("kvasir");
        ClusterRoleBinding binding = chart.ofType(ClusterRoleBinding.class).getFirst();
        assertThat(binding.getSubjects().getFirst().getName()).isEqualTo("kvasir");
        assertThat(binding.getSubjects().getFirst().getNamespace()).isEqualTo("kvasir-system");
        assertThat(chart.ofType(ServiceAccount.class)).hasSize(1);
    }

    @Test
    void customValuesRenderNamespacedRbacAndAKvasirCluster() {
        RenderedChart chart = RenderedChart.render(command -> command
                .set("watchNamespaces[0]", "team-a")
                .set("watchNamespaces[1]", "team-b")
                .set("image.tag", "0.2.0")
                .set("operator.resources.limits.memory", "1Gi")
                .set("cluster.enabled", "true")
                .set("cluster.name", "chat")
                .set("cluster.spec.decode.maxReplicas", "16"));

        assertThat(RenderedChart.kinds(chart)).containsExactly("Deployment", "KvasirCluster", "Role", "Role",
                "RoleBinding", "RoleBinding", "ServiceAccount");
        assertEveryObjectIsTyped(chart);
        assertThat(chart.ofType(Role.class)).extracting(r -> r.getMetadata().getNamespace())
                .containsExactlyInAnyOrder("team-a", "team-b");
        assertThat(chart.ofType(RoleBinding.class)).allSatisfy(b ->
                assertThat(b.getSubjects().getFirst().getNamespace()).isEqualTo("kvasir-system"));
        var container = chart.ofType(Deployment.class).getFirst().getSpec().getTemplate().getSpec().getContainers()
                .getFirst();
        assertThat(container.getImage()).isEqualTo("ghcr.io/kvasir/kvasir-operator:0.2.0");
        assertThat(container.getResources().getLimits().get("memory").toString()).isEqualTo("1Gi");
        assertThat(container.getEnv()).anySatisfy(e -> assertThat(e.getValue()).isEqualTo("team-a,team-b"));
        KvasirCluster cluster = chart.ofType(KvasirCluster.class).getFirst();
        assertThat(cluster.getMetadata().getName()).isEqualTo("chat");
        assertThat(cluster.getSpec().model().persistentVolumeClaim()).isEqualTo("kvasir-models");
        assertThat(cluster.getSpec().decode().maxReplicas()).isEqualTo(16);
    }

    @Test
    void roleAndClusterRoleGrantTheSameRules() {
        var clusterWide = RenderedChart.render(Map.of()).ofType(ClusterRole.class).getFirst().getRules();
        var namespaced = RenderedChart.render(Map.of("watchNamespaces[0]", "team-a")).ofType(Role.class).getFirst()
                .getRules();
        assertThat(RenderedChart.permissions(namespaced)).isEqualTo(RenderedChart.permissions(clusterWide));
    }

    @Test
    void theChartsCrdEqualsTheOneGeneratedFromTheClasses(@TempDir Path dir) throws IOException {
        new CRDGenerator().inOutputDir(dir.toFile()).forCRDVersions("v1")
                .customResourceClasses(KvasirCluster.class).generate();
        Path generated = dir.resolve(Samples.chartCrd().getFileName());

        var yaml = new ObjectMapper(new YAMLFactory());
        JsonNode expected = yaml.readTree(Files.readString(generated));
        JsonNode inChart = yaml.readTree(Files.readString(Samples.chartCrd()));
        assertThat(inChart)
                .as("helm/kvasir/crds is stale: run ./mvnw -pl operator process-classes to regenerate it")
                .isEqualTo(expected);
    }

    @Test
    void theExampleClusterIsAValidKvasirCluster() {
        KvasirCluster example = Samples.exampleCluster("default");
        assertThat(example.getSpec().prefill().sparse().method().configValue()).isEqualTo("vertical-slash");
        assertThat(example.getSpec().kvStore().members()).isEqualTo(3);
    }

    private static void assertEveryObjectIsTyped(RenderedChart chart) {
        for (HasMetadata object : chart.objects()) {
            assertThat(object).as(object.getKind()).isNotInstanceOf(GenericKubernetesResource.class);
            assertThat(object.getMetadata().getName()).as(object.getKind()).isNotBlank();
        }
    }
}
