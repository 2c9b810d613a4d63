package io.kvasir.gateway.events;

/**
 * Tokens one finished request used, field for field the kv-store module's {@code UsageRecord} (issue 4). Decode
 * workers publish it for disaggregated requests; the gateway publishes it for those its in-process engine ran.
 *
 * @param worker who served the request
 */
public record UsageRecord(String requestId, String worker, int promptTokens, int cachedTokens, int completionTokens,
                          long timeMillis) {}
