package io.kvasir.operator.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kvasir.operator.api.KvasirCluster;
import io.kvasir.operator.api.Pool;
import io.kvasir.operator.reconciler.Names;
import io.kvasir.operator.testing.MutableClock;
import io.kvasir.operator.testing.Samples;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP side of the autoscaler: gateways and workers served by loopback HTTP servers, pods in the mock API. */
@EnableKubernetesMockClient(crud = true)
class MetricsScrapingTest {
    private static int testCount;

    KubernetesClient client;
    private final String ns = "scrape-" + ++testCount;
    private final KvasirCluster cluster = Samples.exampleCluster(ns);
    private final List<HttpServer> servers = new ArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(s -> s.stop(0));
    }

    @Test
    void sumsTheMetricsOfEveryReadyGateway() throws IOException {
        gateway("gw-0", true, "kvasir_prompt_tokens_total 100\nkvasir_requests_running 3\n");
        gateway("gw-1", true, "kvasir_prompt_tokens_total 50\nkvasir_requests_running 4\n");
        gateway("gw-2", false, "kvasir_prompt_tokens_total 1000\n");
        var clock = new MutableClock(Instant.parse("2026-11-26T04:00:00Z"));

        LoadSample sample = new GatewayMetricsScraper(new PoolPods(client), clock).sample(cluster).orElseThrow();

        assertThat(sample.promptTokensTotal()).isEqualTo(150);
        assertThat(sample.runningRequests()).isEqualTo(7);
        assertThat(sample.time()).isEqualTo(clock.instant());
    }

    @Test
    void noAnsweringGatewayMeansNoSample() {
        pod("gw-0", Pool.GATEWAY, true, 1);
        var scraper = new GatewayMetricsScraper(new PoolPods(client), new MutableClock(Instant.EPOCH));
        assertThat(scraper.sample(cluster)).isEmpty();
    }

    @Test
    void readsAWorkersActiveRequests() throws IOException {
        int port = serve("kvasir_requests_running{model=\"qwen\"} 2.0\n");
        assertThat(new WorkerMetricsProbe().activeRequests(pod("w", Pool.DECODE, true, port))).hasValue(2);
        assertThat(new WorkerMetricsProbe().activeRequests(pod("gone", Pool.DECODE, true, 1))).isEmpty();
    }

    private void gateway(String name, boolean ready, String metrics) throws IOException {
        pod(name, Pool.GATEWAY, ready, serve(metrics));
    }

    private int serve(String metrics) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/q/metrics", exchange -> {
            byte[] body = metrics.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        servers.add(server);
        return server.getAddress().getPort();
    }

    private Pod pod(String name, Pool pool, boolean ready, int port) {
        return client.resource(new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(ns).withLabels(Names.selector(cluster, pool))
                .endMetadata()
                .withNewSpec().addNewContainer().withName("c").addNewPort().withName("http").withContainerPort(port)
                .endPort().endContainer().endSpec()
                .withNewStatus().withPodIP("127.0.0.1")
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .endStatus()
                .build()).create();
    }
}
