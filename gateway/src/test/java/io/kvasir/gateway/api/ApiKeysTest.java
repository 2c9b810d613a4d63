package io.kvasir.gateway.api;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ApiKeysTest {

    @Test
    void withoutKeysEveryoneIsLetIn() {
        assertDoesNotThrow(() -> new ApiKeys(List.of()).check(null));
        assertDoesNotThrow(() -> new ApiKeys(List.of(" ")).check(null));
    }

    @Test
    void withKeysOnlyAValidBearerIsLetIn() {
        ApiKeys keys = new ApiKeys(List.of("sk-one", " sk-two "));
        assertDoesNotThrow(() -> keys.check("Bearer sk-two"));
        assertDoesNotThrow(() -> keys.check("bearer sk-one"));
        for (String bad : new String[]{null, "", "sk-one", "Bearer sk-three", "Basic sk-one", "Bearer "}) {
            OpenAiException e = assertThrows(OpenAiException.class, () -> keys.check(bad), String.valueOf(bad));
            assertEquals(401, e.status());
        }
    }
}
