package io.kvasir.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.StringJoiner;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract through the four-process path (gateway → prefill worker → decode worker, KV through the kv-store
 * member), plus what only that path has: the prefix cache seen in usage, and the gateway fed by the event bus.
 */
abstract class DisaggregatedContract extends GatewayContract {

    private static final ObjectMapper JSON = new ObjectMapper();

    abstract DisaggregatedCluster cluster();

    @Override
    String url() {
        return cluster().gateway.url;
    }

    @Override
    double decodeSlotsInUse() {
        return metric(WorkerLaunch.decodeMetrics(cluster().ports.decodes().getFirst()), WorkerLaunch.DECODE_RUNNING);
    }

    @Test
    void aRepeatedPromptIsServedFromTheStoreAndItsBlocksReachTheGatewaysPrefixIndex() throws Exception {
        StringJoiner ids = new StringJoiner(",", "[", "]");
        SplittableRandom r = new SplittableRandom(17);
        for (int i = 0; i < 200; i++) {
            ids.add(Integer.toString(r.nextInt(300)));
        }
        String body = "{\"model\":\"tiny\",\"prompt\":" + ids + ",\"max_tokens\":4,\"temperature\":0,\"ignore_eos\":true}";
        JsonNode first = JSON.readTree(given().contentType("application/json").body(body).post(url() + "/v1/completions")
                .then().statusCode(200).extract().asString());
        JsonNode second = JSON.readTree(given().contentType("application/json").body(body).post(url() + "/v1/completions")
                .then().statusCode(200).extract().asString());
        assertEquals(200, second.at("/usage/prompt_tokens").asInt());
        // Three full blocks are reusable; the last block holds the last prompt token, which is always computed.
        assertEquals(192, second.at("/usage/prompt_tokens_details/cached_tokens").asInt(), second.toString());
        assertEquals(first.at("/choices/0/text").asText(), second.at("/choices/0/text").asText());
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (metric(url() + "/q/metrics", "kvasir_prefix_index_blocks") < 3 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(metric(url() + "/q/metrics", "kvasir_prefix_index_blocks") >= 3,
                "the prefill worker's KV events did not reach the gateway's prefix index");
        while (workerLoadReports() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(workerLoadReports() > 0, "no worker load report reached the gateway");
    }

    @Test
    void aDecodeWorkerThatHangsMidStreamEndsTheStreamWithAnErrorAndServesAgainOnceItResumes() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url() + "/v1/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny\",\"prompt\":\"hang\",\"max_tokens\":500,"
                        + "\"stream\":true,\"ignore_eos\":true}"))
                .build();
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = r.body()) {
                assertTrue(body.read(new byte[64]) > 0, "no first token");
                cluster().decode.signal("STOP");
                long stopped = System.nanoTime();
                String rest;
                try {
                    rest = new String(body.readAllBytes(), StandardCharsets.UTF_8);
                } finally {
                    cluster().decode.signal("CONT");
                }
                double waited = (System.nanoTime() - stopped) / 1e9;
                assertTrue(rest.contains("\"error\""), "the stream ended without an error event: ..." 
                        + rest.substring(Math.max(0, rest.length() - 300)));
                assertTrue(waited < DisaggregatedCluster.SILENCE_LIMIT_SECONDS + 20, "took " + waited + " s");
            }
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        int status = 0;
        while (status != 200 && System.nanoTime() < deadline) {
            status = given().contentType("application/json")
                    .body("{\"model\":\"tiny\",\"prompt\":\"again\",\"max_tokens\":3}")
                    .post(url() + "/v1/completions").statusCode();
            if (status != 200) {
                Thread.sleep(250);
            }
        }
        assertEquals(200, status, "the resumed worker serves again");
    }

    private double workerLoadReports() {
        String text = given().get(url() + "/q/metrics").asString();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "(?m)^kvasir_events_received_total\\{[^}]*topic=\"kvasir.worker-load\"[^}]*} (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
