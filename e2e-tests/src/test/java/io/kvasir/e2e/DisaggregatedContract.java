package io.kvasir.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

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
        return metric(WorkerLaunch.decodeMetrics(cluster().ports), WorkerLaunch.DECODE_RUNNING);
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

    private double workerLoadReports() {
        String text = given().get(url() + "/q/metrics").asString();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "(?m)^kvasir_events_received_total\\{[^}]*topic=\"kvasir.worker-load\"[^}]*} (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
