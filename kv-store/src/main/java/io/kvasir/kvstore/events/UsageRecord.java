package io.kvasir.kvstore.events;

/** Tokens one finished request used, for accounting. */
public record UsageRecord(String requestId, String worker, int promptTokens, int cachedTokens, int completionTokens,
                          long timeMillis) {
}
