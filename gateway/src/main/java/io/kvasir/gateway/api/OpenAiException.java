package io.kvasir.gateway.api;

/**
 * A request failure the client is told about in OpenAI's error shape
 * ({@code {"error":{"message","type","param","code"}}}) with its HTTP status.
 */
public final class OpenAiException extends RuntimeException {

    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final int retryAfterSeconds;

    private OpenAiException(int status, String type, String param, String code, String message, int retryAfterSeconds) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 400 for a request field that is missing, mistyped or out of range. */
    public static OpenAiException invalid(String param, String message) {
        return new OpenAiException(400, "invalid_request_error", param, null, message, 0);
    }

    /** 400 for a prompt that does not fit the model's context, naming the limit. */
    public static OpenAiException contextLengthExceeded(String param, String message) {
        return new OpenAiException(400, "invalid_request_error", param, "context_length_exceeded", message, 0);
    }

    public static OpenAiException unauthorized() {
        return new OpenAiException(401, "invalid_request_error", null, "invalid_api_key",
                "a valid API key is required: send 'Authorization: Bearer KEY'", 0);
    }

    public static OpenAiException unknownModel(String model) {
        return new OpenAiException(404, "invalid_request_error", "model", "model_not_found",
                "the model '" + model + "' does not exist", 0);
    }

    public static OpenAiException notFound(String message) {
        return new OpenAiException(404, "invalid_request_error", null, null, message, 0);
    }

    public static OpenAiException methodNotAllowed(String message) {
        return new OpenAiException(405, "invalid_request_error", null, null, message, 0);
    }

    public static OpenAiException bodyTooLarge(long limitBytes) {
        return new OpenAiException(413, "invalid_request_error", null, "request_too_large",
                "the request body is larger than " + limitBytes + " bytes", 0);
    }

    /** 429: the gateway or a worker is saturated; the client should come back after {@code retryAfterSeconds}. */
    public static OpenAiException overloaded(String message, int retryAfterSeconds) {
        return new OpenAiException(429, "rate_limit_error", null, "overloaded", message, retryAfterSeconds);
    }

    /** 503: no worker could take the request, retries included. */
    public static OpenAiException unavailable(String message) {
        return new OpenAiException(503, "service_unavailable", null, "no_healthy_worker", message, 1);
    }

    /** 500 for a failure of ours, never for bad input. */
    public static OpenAiException internal(String message) {
        return new OpenAiException(500, "server_error", null, null, message, 0);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    /** Zero when the response carries no {@code Retry-After}. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
