package io.kvasir.gateway.api;

import io.kvasir.gateway.TinyModelResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Every malformed request gets its 4xx in OpenAI's error shape, never a 5xx, and the gateway serves on. */
@QuarkusTest
@QuarkusTestResource(TinyModelResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MalformedRequestTest {

    private static final String CHAT = "/v1/chat/completions";
    private static final String COMPLETIONS = "/v1/completions";
    private static final String HI = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

    private static String chat(String extra) {
        return "{\"model\":\"tiny\"," + HI + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    private static String completion(String extra) {
        return "{\"model\":\"tiny\"," + extra + "}";
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("truncated JSON", CHAT, "{\"model\":", 400),
                Arguments.of("body is an array", CHAT, "[]", 400),
                Arguments.of("empty body", CHAT, "", 400),
                Arguments.of("body is a string", CHAT, "\"hi\"", 400),
                Arguments.of("model missing", CHAT, "{" + HI + "}", 400),
                Arguments.of("model not a string", CHAT, "{\"model\":5," + HI + "}", 400),
                Arguments.of("unknown model", CHAT, "{\"model\":\"gpt-9\"," + HI + "}", 404),
                Arguments.of("messages missing", CHAT, "{\"model\":\"tiny\"}", 400),
                Arguments.of("messages not an array", CHAT, "{\"model\":\"tiny\",\"messages\":\"hi\"}", 400),
                Arguments.of("messages empty", CHAT, "{\"model\":\"tiny\",\"messages\":[]}", 400),
                Arguments.of("message not an object", CHAT, "{\"model\":\"tiny\",\"messages\":[\"hi\"]}", 400),
                Arguments.of("unknown role", CHAT, "{\"model\":\"tiny\",\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}", 400),
                Arguments.of("role missing", CHAT, "{\"model\":\"tiny\",\"messages\":[{\"content\":\"hi\"}]}", 400),
                Arguments.of("content a number", CHAT, "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":7}]}", 400),
                Arguments.of("user content missing", CHAT, "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\"}]}", 400),
                Arguments.of("image content part", CHAT, "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":"
                        + "[{\"type\":\"image_url\",\"image_url\":{\"url\":\"x\"}}]}]}", 400),
                Arguments.of("text part without text", CHAT, "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":"
                        + "[{\"type\":\"text\"}]}]}", 400),
                Arguments.of("temperature a string", CHAT, chat("\"temperature\":\"hot\""), 400),
                Arguments.of("temperature above 2", CHAT, chat("\"temperature\":3"), 400),
                Arguments.of("temperature negative", CHAT, chat("\"temperature\":-0.1"), 400),
                Arguments.of("top_p zero", CHAT, chat("\"top_p\":0"), 400),
                Arguments.of("top_p above 1", CHAT, chat("\"top_p\":1.5"), 400),
                Arguments.of("n zero", CHAT, chat("\"n\":0"), 400),
                Arguments.of("n above 16", CHAT, chat("\"n\":17"), 400),
                Arguments.of("n fractional", CHAT, chat("\"n\":1.5"), 400),
                Arguments.of("max_tokens zero", CHAT, chat("\"max_tokens\":0"), 400),
                Arguments.of("max_tokens a string", CHAT, chat("\"max_tokens\":\"ten\""), 400),
                Arguments.of("max_tokens beyond the context", CHAT, chat("\"max_tokens\":1000"), 400),
                Arguments.of("max_completion_tokens negative", CHAT, chat("\"max_completion_tokens\":-3"), 400),
                Arguments.of("five stop strings", CHAT, chat("\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]"), 400),
                Arguments.of("stop not strings", CHAT, chat("\"stop\":[1]"), 400),
                Arguments.of("empty stop string", CHAT, chat("\"stop\":\"\""), 400),
                Arguments.of("presence_penalty above 2", CHAT, chat("\"presence_penalty\":3"), 400),
                Arguments.of("frequency_penalty below -2", CHAT, chat("\"frequency_penalty\":-2.5"), 400),
                Arguments.of("top_logprobs above 20", CHAT, chat("\"logprobs\":true,\"top_logprobs\":21"), 400),
                Arguments.of("top_logprobs without logprobs", CHAT, chat("\"top_logprobs\":2"), 400),
                Arguments.of("logprobs a string", CHAT, chat("\"logprobs\":\"yes\""), 400),
                Arguments.of("stream a string", CHAT, chat("\"stream\":\"true\""), 400),
                Arguments.of("stream_options without stream", CHAT, chat("\"stream_options\":{\"include_usage\":true}"), 400),
                Arguments.of("seed a string", CHAT, chat("\"seed\":\"abc\""), 400),
                Arguments.of("seed fractional", CHAT, chat("\"seed\":1e30"), 400),
                Arguments.of("min_p above 1", CHAT, chat("\"min_p\":2"), 400),
                Arguments.of("top_k below -1", CHAT, chat("\"top_k\":-5"), 400),
                Arguments.of("repetition_penalty zero", CHAT, chat("\"repetition_penalty\":0"), 400),
                Arguments.of("chat beyond the context", CHAT, "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\""
                        + "lorem ipsum ".repeat(400) + "\"}]}", 400),
                Arguments.of("nested 2000 deep", CHAT, "[".repeat(2000) + "]".repeat(2000), 400),
                Arguments.of("prompt missing", COMPLETIONS, completion("\"max_tokens\":2"), 400),
                Arguments.of("prompt empty", COMPLETIONS, completion("\"prompt\":\"\""), 400),
                Arguments.of("prompt empty array", COMPLETIONS, completion("\"prompt\":[]"), 400),
                Arguments.of("prompt mixed ids and text", COMPLETIONS, completion("\"prompt\":[1,\"a\"]"), 400),
                Arguments.of("token id outside the vocabulary", COMPLETIONS, completion("\"prompt\":[99999]"), 400),
                Arguments.of("negative token id", COMPLETIONS, completion("\"prompt\":[-1]"), 400),
                Arguments.of("prompt an object", COMPLETIONS, completion("\"prompt\":{}"), 400),
                Arguments.of("completion logprobs above 20", COMPLETIONS, completion("\"prompt\":\"a\",\"logprobs\":21"), 400),
                Arguments.of("completion logprobs a boolean", COMPLETIONS, completion("\"prompt\":\"a\",\"logprobs\":true"), 400),
                Arguments.of("echo with logprobs", COMPLETIONS, completion("\"prompt\":\"a\",\"echo\":true,\"logprobs\":1"), 400),
                Arguments.of("token prompt beyond the context", COMPLETIONS, completion("\"prompt\":["
                        + "5,".repeat(299) + "5]"), 400),
                Arguments.of("30 MB body", COMPLETIONS, completion("\"prompt\":\"" + "a".repeat(30 << 20) + "\""), 413));
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectedWithOpenAiError(String name, String path, String body, int status) {
        Response r = given().contentType("application/json").body(body).post(path);
        assertEquals(status, r.statusCode(), name + ": " + r.asString());
        assertError(r);
    }

    @Order(2)
    @Test
    void unknownEndpointAndMethod() {
        Response missing = given().get("/v1/nothing");
        assertEquals(404, missing.statusCode());
        assertError(missing);
        Response method = given().delete("/v1/models");
        assertEquals(405, method.statusCode());
        assertError(method);
        assertEquals(405, given().get("/v1/chat/completions").statusCode());
        assertEquals(404, given().get("/v1/models/gpt-9").statusCode());
    }

    /** Runs after the malformed ones above. */
    @Order(3)
    @Test
    void servesAfterMalformedRequests() {
        given().contentType("application/json").body(chat("\"max_tokens\":3")).post(CHAT)
                .then().statusCode(200);
    }

    private static void assertError(Response r) {
        assertEquals("application/json", r.contentType().split(";")[0]);
        String message = r.jsonPath().getString("error.message");
        assertNotNull(message);
        assertFalse(message.isBlank());
        assertNotNull(r.jsonPath().getString("error.type"));
    }
}
