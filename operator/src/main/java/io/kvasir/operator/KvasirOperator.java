package io.kvasir.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.kvasir.operator.autoscaler.Autoscaler;
import io.kvasir.operator.autoscaler.GatewayMetricsScraper;
import io.kvasir.operator.autoscaler.PoolPods;
import io.kvasir.operator.autoscaler.WorkerMetricsProbe;
import io.kvasir.operator.reconciler.KvasirClusterReconciler;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator process: a plain Java main, so its Fabric8 version is JOSDK's and not the Quarkus BOM's.
 * {@code WATCH_NAMESPACES} (comma-separated) limits it to those namespaces; unset or empty, it watches all.
 */
public final class KvasirOperator {
    private KvasirOperator() {
    }

    public static void main(String[] args) {
        KubernetesClient client = new KubernetesClientBuilder().build();
        Clock clock = Clock.systemUTC();
        var pods = new PoolPods(client);
        var autoscaler = new Autoscaler(clock, new GatewayMetricsScraper(pods, clock), pods, new WorkerMetricsProbe());
        Operator operator = start(client, new KvasirClusterReconciler(clock, autoscaler),
                watchedNamespaces(System.getenv("WATCH_NAMESPACES")));
        operator.installShutdownHook(Duration.ofSeconds(30));
    }

    /** Registers the reconciler and starts the operator on {@code client}; tests pass a mock server's client. */
    public static Operator start(KubernetesClient client, KvasirClusterReconciler reconciler, Set<String> namespaces) {
        // The mock API server used in tests, and some real ones, lack server-side apply; plain patches work anywhere.
        Operator operator = new Operator(o -> o.withKubernetesClient(client)
                .withUseSSAToPatchPrimaryResource(false)
                .withCloseClientOnStop(false));
        operator.register(reconciler, c -> {
            if (!namespaces.isEmpty()) {
                c.settingNamespaces(namespaces);
            }
        });
        operator.start();
        return operator;
    }

    static Set<String> watchedNamespaces(String value) {
        if (value == null || value.isBlank()) {
            return Set.of();
        }
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }
}
