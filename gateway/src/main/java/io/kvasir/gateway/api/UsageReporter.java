package io.kvasir.gateway.api;

import io.kvasir.gateway.events.EventBusConnection;
import io.kvasir.gateway.events.UsageRecord;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Publishes one usage record per finished request on {@code kvasir.usage}, identifying the key only by a hash. */
@ApplicationScoped
public class UsageReporter {

    private final EventBusConnection connection;

    public UsageReporter(EventBusConnection connection) {
        this.connection = connection;
    }

    void record(String model, String user, String authorization, RequestRun.Outcome outcome) {
        connection.bus().ifPresent(bus -> bus.publish(new UsageRecord(outcome.requestId(), model, keyHash(authorization),
                user, outcome.promptTokens(), outcome.completionTokens(), outcome.cachedTokens(), outcome.status(),
                System.currentTimeMillis())));
    }

    private static String keyHash(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
