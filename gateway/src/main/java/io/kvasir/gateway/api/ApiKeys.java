package io.kvasir.gateway.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/** Bearer keys from {@code KVASIR_API_KEYS} (comma-separated); with none configured every request is let in. */
public final class ApiKeys {

    private final List<byte[]> keys;

    public ApiKeys(List<String> keys) {
        this.keys = keys.stream().map(String::trim).filter(k -> !k.isEmpty())
                .map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
    }

    /** @throws OpenAiException 401 when keys are configured and the header carries none of them */
    void check(String authorization) {
        if (keys.isEmpty()) {
            return;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw OpenAiException.unauthorized();
        }
        byte[] given = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (byte[] k : keys) {
            // Constant-time per key, and every key is compared, so timing does not tell which one is close.
            ok |= MessageDigest.isEqual(k, given);
        }
        if (!ok) {
            throw OpenAiException.unauthorized();
        }
    }
}
