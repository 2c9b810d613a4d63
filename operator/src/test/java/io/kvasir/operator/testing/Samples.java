package io.kvasir.operator.testing;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kvasir.operator.api.KvasirCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The chart's files as test inputs, so the tests exercise exactly what users install. */
public final class Samples {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private Samples() {
    }

    public static Path chartDir() {
        return Path.of(System.getProperty("kvasir.chart.dir", "../helm/kvasir")).toAbsolutePath().normalize();
    }

    public static Path chartCrd() {
        return chartDir().resolve("crds/kvasirclusters.kvasir.io-v1.yml");
    }

    /** The chart's example cluster, in {@code namespace}. */
    public static KvasirCluster exampleCluster(String namespace) {
        KvasirCluster cluster = SERIALIZATION.unmarshal(read(chartDir().resolve("examples/kvasircluster.yaml")),
                KvasirCluster.class);
        cluster.getMetadata().setNamespace(namespace);
        return cluster;
    }

    public static void installCrd(KubernetesClient client) {
        CustomResourceDefinition crd = SERIALIZATION.unmarshal(read(chartCrd()), CustomResourceDefinition.class);
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }

    public static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
