package io.kvasir.gateway.events;

/**
 * What one finished request consumed, for billing and capacity planning.
 *
 * @param apiKeyHash    a hash of the API key used (never the key), or null without keys
 * @param user          OpenAI's {@code user} field, or null
 * @param finishStatus  {@code completed}, {@code cancelled} or {@code failed}
 */
public record UsageRecord(String requestId, String model, String apiKeyHash, String user, int promptTokens,
                          int completionTokens, int cachedTokens, String finishStatus, long timestampMillis) {}
