package io.kvasir.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvasir.gateway.TinyModelResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A burst of four times the admission capacity: the excess gets 429 with Retry-After, the admitted all complete. */
@QuarkusTest
@QuarkusTestResource(TinyModelResource.class)
class AdmissionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_TOKENS = 200;

    @Test
    void burstBeyondCapacityIsRefusedWithRetryAfter() throws Exception {
        int burst = 4 * TinyModelResource.ADMISSION_CAPACITY;
        HttpRequest request = HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/v1/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny\",\"prompt\":\"burst\",\"max_tokens\":"
                        + MAX_TOKENS + ",\"ignore_eos\":true}"))
                .build();
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
                sent.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
            }
            int ok = 0;
            int refused = 0;
            for (CompletableFuture<HttpResponse<String>> f : sent) {
                HttpResponse<String> r = f.get();
                JsonNode body = JSON.readTree(r.body());
                if (r.statusCode() == 200) {
                    ok++;
                    assertEquals("length", body.get("choices").get(0).get("finish_reason").asText());
                    assertEquals(MAX_TOKENS, body.get("usage").get("completion_tokens").asInt());
                } else {
                    refused++;
                    assertEquals(429, r.statusCode(), r.body());
                    assertEquals("2", r.headers().firstValue("Retry-After").orElse(null));
                    assertEquals("rate_limit_error", body.get("error").get("type").asText());
                }
            }
            assertEquals(burst, ok + refused);
            assertTrue(ok >= TinyModelResource.ADMISSION_CAPACITY, ok + " admitted");
            assertTrue(refused >= burst / 2, refused + " refused of " + burst);
        }
    }
}
