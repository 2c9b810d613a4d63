package io.kvasir.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Routing through real processes: with two decode workers, concurrent streams spread over both batches. */
class DecodeRoutingIT {

    private static Path model;
    private static DisaggregatedCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        model = TinyModel.write(Files.createTempDirectory("kvasir-e2e-model"));
        cluster = DisaggregatedCluster.start(model, null, Path.of("target", "e2e-logs", "routing"), 2);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        TinyModel.delete(model);
    }

    /** Sequence steps (tokens after each sequence's first) a decode worker has run. */
    private static double steps(int decodePort) {
        return GatewayContract.metric(WorkerLaunch.decodeMetrics(decodePort), WorkerLaunch.DECODE_STEPS);
    }

    @Test
    void concurrentStreamsAreSpreadOverTheDecodeWorkersBatches() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(cluster.gateway.url + "/v1/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny\",\"prompt\":\"spread\",\"max_tokens\":400,"
                        + "\"stream\":true,\"ignore_eos\":true}"))
                .build();
        List<Integer> ports = cluster.ports.decodes();
        double before0 = steps(ports.get(0));
        double before1 = steps(ports.get(1));
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                streams.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> f : streams) {
                HttpResponse<String> r = f.get();
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.body().endsWith("data: [DONE]\n\n"), r.body());
            }
        }
        // Each sequence takes 399 decode steps (its first token comes from prefill); with the four in flight at
        // once, the one with fewer active sequences gets each new one: two and two.
        assertEquals(2 * 399.0, steps(ports.get(0)) - before0, "steps on the first worker");
        assertEquals(2 * 399.0, steps(ports.get(1)) - before1, "steps on the second worker");
    }
}
