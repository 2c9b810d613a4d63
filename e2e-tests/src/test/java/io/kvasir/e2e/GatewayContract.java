package io.kvasir.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every gateway set-up must do for real clients — the official OpenAI Java SDK and RestAssured — against
 * a gateway running as its own process. Subclasses start the set-up (with Kafka, without).
 */
abstract class GatewayContract {

    private static final ObjectMapper JSON = new ObjectMapper();

    abstract String url();

    private OpenAIClient sdk() {
        return OpenAIOkHttpClient.builder().baseUrl(url() + "/v1").apiKey("e2e").build();
    }

    private static ChatCompletionCreateParams.Builder chat(long maxTokens) {
        return ChatCompletionCreateParams.builder().model("tiny").addSystemMessage("be brief").addUserMessage("hello there")
                .maxCompletionTokens(maxTokens).putAdditionalBodyProperty("ignore_eos", JsonValue.from(true));
    }

    @Test
    void sdkChatStopsAtMaxTokensWithLength() {
        ChatCompletion c = sdk().chat().completions().create(chat(6).temperature(0.0).build());
        assertEquals(1, c.choices().size());
        assertEquals(ChatCompletion.Choice.FinishReason.LENGTH, c.choices().getFirst().finishReason());
        assertEquals(6, c.usage().orElseThrow().completionTokens());
        assertTrue(c.choices().getFirst().message().content().isPresent());
    }

    @Test
    void sdkCompletions() {
        Completion c = sdk().completions().create(CompletionCreateParams.builder().model("tiny").prompt("The quick brown fox")
                .maxTokens(5).temperature(0.0).putAdditionalBodyProperty("ignore_eos", JsonValue.from(true)).build());
        CompletionChoice choice = c.choices().getFirst();
        assertEquals(CompletionChoice.FinishReason.LENGTH, choice.finishReason());
        assertEquals(5, c.usage().orElseThrow().completionTokens());
    }

    @Test
    void sdkStreamingWithUsage() {
        StringBuilder text = new StringBuilder();
        List<Long> usage = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = sdk().chat().completions().createStreaming(chat(7).temperature(0.0)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            stream.stream().forEach(chunk -> {
                chunk.choices().forEach(ch -> ch.delta().content().ifPresent(text::append));
                chunk.usage().ifPresent(u -> usage.add(u.completionTokens()));
            });
        }
        assertEquals(List.of(7L), usage);
        ChatCompletion whole = sdk().chat().completions().create(chat(7).temperature(0.0).build());
        assertEquals(whole.choices().getFirst().message().content().orElse(""), text.toString());
    }

    @Test
    void sdkSeedIsDeterministicAtTemperatureOneAndNGivesTwoChoices() {
        ChatCompletionCreateParams params = chat(10).temperature(1.0).seed(1234).n(2).build();
        ChatCompletion a = sdk().chat().completions().create(params);
        ChatCompletion b = sdk().chat().completions().create(params);
        assertEquals(2, a.choices().size());
        for (int i = 0; i < 2; i++) {
            assertEquals(a.choices().get(i).message().content(), b.choices().get(i).message().content());
        }
        assertNotEquals(a.choices().get(0).message().content(), a.choices().get(1).message().content());
    }

    @Test
    void sdkLogprobs() {
        ChatCompletion c = sdk().chat().completions().create(chat(3).logprobs(true).topLogprobs(3).build());
        List<ChatCompletionTokenLogprob> content = c.choices().getFirst().logprobs().orElseThrow().content().orElseThrow();
        assertEquals(3, content.size());
        for (ChatCompletionTokenLogprob t : content) {
            assertTrue(t.logprob() <= 0);
            assertEquals(3, t.topLogprobs().size());
        }
    }

    @Test
    void restAssuredStopStrings() throws Exception {
        String body = "{\"model\":\"tiny\",\"prompt\":\"Grüße aus München\",\"max_tokens\":30,\"temperature\":0,\"ignore_eos\":true}";
        String full = JSON.readTree(given().contentType("application/json").body(body).post(url() + "/v1/completions").asString())
                .get("choices").get(0).get("text").asText();
        assertTrue(full.length() > 6, full);
        String stop = full.substring(full.length() / 2, full.length() / 2 + 3);
        Response r = given().contentType("application/json")
                .body(body.replace("}", ",\"stop\":[\"\\u0000never\"," + JSON.writeValueAsString(stop) + "]}"))
                .post(url() + "/v1/completions");
        assertEquals(200, r.statusCode(), r.asString());
        JsonNode choice = JSON.readTree(r.asString()).get("choices").get(0);
        assertEquals(full.substring(0, full.indexOf(stop)), choice.get("text").asText());
        assertEquals("stop", choice.get("finish_reason").asText());
    }

    @Test
    void sixteenConcurrentStreamsComplete() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url() + "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":"
                        + "\"count\"}],\"max_tokens\":12,\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                        + "\"ignore_eos\":true}"))
                .build();
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                streams.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> f : streams) {
                HttpResponse<String> r = f.get();
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.body().endsWith("data: [DONE]\n\n"), r.body());
                assertTrue(r.body().contains("\"completion_tokens\":12"), r.body());
            }
        }
    }

    @Test
    void aCancelledStreamFreesItsDecodeSlot() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url() + "/v1/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny\",\"prompt\":\"go\",\"max_tokens\":500,"
                        + "\"stream\":true,\"ignore_eos\":true}"))
                .build();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = r.body()) {
            assertTrue(body.read(new byte[256]) > 0);
            assertEquals(1.0, decodeSlotsInUse());
        }
        http.close();
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (decodeSlotsInUse() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(0.0, decodeSlotsInUse(), "the cancelled sequence still occupies a decode slot");
    }

    /** Sequences in the decode batch: the gateway's own count here; a decode worker's where there is one. */
    double decodeSlotsInUse() {
        return metric(url() + "/q/metrics", "kvasir_requests_running");
    }

    /** The value of an untagged (or the first tagged) series in Prometheus text. */
    static double metric(String url, String series) {
        Matcher m = Pattern.compile("(?m)^" + series + "(?:\\{[^}]*})? (\\S+)$").matcher(given().get(url).asString());
        assertTrue(m.find(), series + " is missing from " + url);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void modelsAndErrorsOverRestAssured() {
        given().get(url() + "/v1/models").then().statusCode(200);
        Response r = given().contentType("application/json").body("{\"model\":\"tiny\",\"messages\":[]}")
                .post(url() + "/v1/chat/completions");
        assertEquals(400, r.statusCode());
        assertFalse(r.jsonPath().getString("error.message").isBlank());
    }
}
