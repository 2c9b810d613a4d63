package io.kvasir.gateway.api;

import io.kvasir.gateway.TinyModelResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** With {@code KVASIR_API_KEYS} set, every {@code /v1} route wants one of the keys; health and metrics do not. */
@QuarkusTest
@QuarkusTestResource(TinyModelResource.class)
@TestProfile(ApiKeyRoutesTest.WithKeys.class)
class ApiKeyRoutesTest {

    public static class WithKeys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kvasir.api-keys", "sk-alpha,sk-beta");
        }
    }

    @Test
    void onlyConfiguredKeysAreLetIn() {
        assertEquals(401, given().get("/v1/models").statusCode());
        assertEquals("invalid_api_key", given().header("Authorization", "Bearer sk-gamma").get("/v1/models")
                .jsonPath().getString("error.code"));
        assertEquals(401, given().contentType("application/json").body("{}").post("/v1/completions").statusCode());
        assertEquals(200, given().header("Authorization", "Bearer sk-beta").get("/v1/models").statusCode());
        assertEquals(200, given().header("Authorization", "Bearer sk-alpha").contentType("application/json")
                .body("{\"model\":\"tiny\",\"prompt\":\"a\",\"max_tokens\":1}").post("/v1/completions").statusCode());
        assertEquals(200, given().get("/q/health/ready").statusCode());
    }
}
