package io.kvasir.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvasir.gateway.TinyModelResource;
import io.kvasir.gateway.admission.AdmissionControl;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The OpenAI API through the gateway on a real (tiny) in-process engine: shapes, options and streaming. */
@QuarkusTest
@QuarkusTestResource(TinyModelResource.class)
class OpenAiApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    AdmissionControl admission;

    private static JsonNode post(String path, String body) throws Exception {
        Response r = given().contentType("application/json").body(body).post(path);
        assertEquals(200, r.statusCode(), r.asString());
        return JSON.readTree(r.asString());
    }

    private static String chat(String extra) {
        return "{\"model\":\"tiny\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hello there\"}]}]," + extra + "}";
    }

    @Test
    void listsTheModel() throws Exception {
        JsonNode list = JSON.readTree(given().get("/v1/models").asString());
        assertEquals("list", list.get("object").asText());
        assertEquals(TinyModelResource.MODEL, list.get("data").get(0).get("id").asText());
        assertEquals("model", list.get("data").get(0).get("object").asText());
    }

    @Test
    void chatCompletionHasOpenAiShapeAndStopsAtMaxTokens() throws Exception {
        JsonNode r = post("/v1/chat/completions", chat("\"max_tokens\":5,\"temperature\":0,\"ignore_eos\":true"));
        assertTrue(r.get("id").asText().startsWith("chatcmpl-"));
        assertEquals("chat.completion", r.get("object").asText());
        assertEquals("tiny", r.get("model").asText());
        assertTrue(r.get("created").asLong() > 1_700_000_000L);
        JsonNode choice = r.get("choices").get(0);
        assertEquals(0, choice.get("index").asInt());
        assertEquals("assistant", choice.get("message").get("role").asText());
        assertTrue(choice.get("message").get("content").isTextual());
        assertEquals("length", choice.get("finish_reason").asText());
        assertTrue(choice.get("logprobs").isNull());
        JsonNode usage = r.get("usage");
        assertEquals(5, usage.get("completion_tokens").asInt());
        assertTrue(usage.get("prompt_tokens").asInt() > 5);
        assertEquals(usage.get("prompt_tokens").asInt() + 5, usage.get("total_tokens").asInt());
        assertEquals(0, usage.get("prompt_tokens_details").get("cached_tokens").asInt());
    }

    @Test
    void greedyIsRepeatableAndStopStringsCutTheText() throws Exception {
        String body = "{\"model\":\"tiny\",\"prompt\":\"The quick brown fox\",\"max_tokens\":24,\"temperature\":0,\"ignore_eos\":true}";
        String full = post("/v1/completions", body).get("choices").get(0).get("text").asText();
        assertEquals(full, post("/v1/completions", body).get("choices").get(0).get("text").asText());
        assertTrue(full.length() >= 6, "need some text to cut: '" + full + "'");
        String stop = full.substring(full.length() / 2, full.length() / 2 + 2);
        JsonNode stopped = post("/v1/completions", body.replace("}", ",\"stop\":[" + JSON.writeValueAsString(stop) + "]}"))
                .get("choices").get(0);
        assertEquals(full.substring(0, full.indexOf(stop)), stopped.get("text").asText());
        assertEquals("stop", stopped.get("finish_reason").asText());
    }

    @Test
    void seedMakesSamplingRepeatableAndNGivesDistinctChoices() throws Exception {
        String body = chat("\"max_tokens\":12,\"temperature\":1,\"seed\":42,\"n\":2,\"ignore_eos\":true");
        JsonNode a = post("/v1/chat/completions", body);
        JsonNode b = post("/v1/chat/completions", body);
        assertEquals(2, a.get("choices").size());
        assertEquals(1, a.get("choices").get(1).get("index").asInt());
        for (int i = 0; i < 2; i++) {
            assertEquals(a.get("choices").get(i).get("message").get("content"), b.get("choices").get(i).get("message").get("content"));
        }
        assertNotEquals(a.get("choices").get(0).get("message").get("content"), a.get("choices").get(1).get("message").get("content"));
        assertEquals(24, a.get("usage").get("completion_tokens").asInt());
    }

    @Test
    void chatLogprobsHaveOpenAiShape() throws Exception {
        JsonNode r = post("/v1/chat/completions", chat("\"max_tokens\":3,\"logprobs\":true,\"top_logprobs\":2,\"ignore_eos\":true"));
        JsonNode content = r.get("choices").get(0).get("logprobs").get("content");
        assertEquals(3, content.size());
        JsonNode first = content.get(0);
        assertTrue(first.get("token").isTextual());
        assertTrue(first.get("logprob").asDouble() <= 0);
        assertTrue(first.get("bytes").isArray());
        assertEquals(2, first.get("top_logprobs").size());
        assertTrue(first.get("top_logprobs").get(0).get("logprob").asDouble() >= first.get("top_logprobs").get(1).get("logprob").asDouble());
    }

    @Test
    void completionLogprobsEchoAndTokenPrompts() throws Exception {
        JsonNode r = post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":[40,41,42],\"max_tokens\":4,\"logprobs\":3,\"ignore_eos\":true}");
        assertEquals("text_completion", r.get("object").asText());
        assertTrue(r.get("id").asText().startsWith("cmpl-"));
        JsonNode lp = r.get("choices").get(0).get("logprobs");
        assertEquals(4, lp.get("tokens").size());
        assertEquals(4, lp.get("token_logprobs").size());
        assertEquals(3, lp.get("top_logprobs").get(0).size());
        assertEquals(0, lp.get("text_offset").get(0).asInt());
        assertEquals(3, r.get("usage").get("prompt_tokens").asInt());
        JsonNode echoed = post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"Grüße aus\",\"max_tokens\":2,\"echo\":true}");
        assertTrue(echoed.get("choices").get(0).get("text").asText().startsWith("Grüße aus"));
        JsonNode batch = post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":[\"a b\",\"c d\"],\"max_tokens\":2,\"n\":2,\"ignore_eos\":true}");
        assertEquals(4, batch.get("choices").size());
        assertEquals(8, batch.get("usage").get("completion_tokens").asInt());
    }

    @Test
    void streamsChunksWithUsageAndDone() throws Exception {
        Response r = given().contentType("application/json")
                .body(chat("\"max_tokens\":6,\"stream\":true,\"stream_options\":{\"include_usage\":true},\"ignore_eos\":true"))
                .post("/v1/chat/completions");
        assertEquals(200, r.statusCode());
        assertTrue(r.contentType().startsWith("text/event-stream"));
        List<String> events = SseEvents.data(r.asString());
        assertEquals("[DONE]", events.getLast());
        JsonNode first = JSON.readTree(events.getFirst());
        assertEquals("chat.completion.chunk", first.get("object").asText());
        assertEquals("assistant", first.get("choices").get(0).get("delta").get("role").asText());
        assertTrue(first.has("usage") && first.get("usage").isNull());
        JsonNode usageChunk = JSON.readTree(events.get(events.size() - 2));
        assertEquals(0, usageChunk.get("choices").size());
        assertEquals(6, usageChunk.get("usage").get("completion_tokens").asInt());
        JsonNode finish = JSON.readTree(events.get(events.size() - 3));
        assertEquals("length", finish.get("choices").get(0).get("finish_reason").asText());
        StringBuilder text = new StringBuilder();
        String id = first.get("id").asText();
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode chunk = JSON.readTree(e);
            assertEquals(id, chunk.get("id").asText());
            if (chunk.get("choices").size() > 0) {
                text.append(chunk.get("choices").get(0).get("delta").path("content").asText(""));
            }
        }
        JsonNode whole = post("/v1/chat/completions", chat("\"max_tokens\":6,\"temperature\":0,\"ignore_eos\":true"));
        Response greedyStream = given().contentType("application/json")
                .body(chat("\"max_tokens\":6,\"temperature\":0,\"stream\":true,\"ignore_eos\":true")).post("/v1/chat/completions");
        StringBuilder streamed = new StringBuilder();
        for (String e : SseEvents.data(greedyStream.asString())) {
            if (!e.equals("[DONE]")) {
                JsonNode chunk = JSON.readTree(e);
                assertFalse(chunk.has("usage"), "no usage field without include_usage");
                streamed.append(chunk.get("choices").get(0).get("delta").path("content").asText(""));
            }
        }
        assertEquals(whole.get("choices").get(0).get("message").get("content").asText(), streamed.toString());
    }

    @Test
    void aClosedStreamFreesItsSlot() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port
                        + "/v1/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":250,"
                        + "\"stream\":true,\"ignore_eos\":true}"))
                .build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            assertTrue(body.read(new byte[64]) > 0);
            assertEquals(1, admission.held());
        }
        client.close();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (admission.held() != 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(0, admission.held(), "the cancelled stream still holds its slot");
    }

    @Test
    void metricsUseKvasirNames() {
        given().contentType("application/json").body(chat("\"max_tokens\":2")).post("/v1/chat/completions");
        String metrics = given().get("/q/metrics").asString();
        for (String name : List.of("kvasir_time_to_first_token_seconds", "kvasir_inter_token_latency_seconds",
                "kvasir_requests_running", "kvasir_requests_waiting", "kvasir_prompt_tokens_total",
                "kvasir_generation_tokens_total", "kvasir_kv_usage_ratio", "kvasir_e2e_request_latency_seconds")) {
            assertTrue(metrics.contains(name), name + " missing from /q/metrics");
        }
    }
}
