package io.kvasir.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Typed reads of a request body's top-level fields. Every wrong type or out-of-range value becomes a 400 naming
 * the field; JSON {@code null} counts as absent, as OpenAI treats it.
 */
final class JsonFields {

    private final ObjectNode body;

    JsonFields(ObjectNode body) {
        this.body = body;
    }

    JsonNode get(String name) {
        JsonNode v = body.get(name);
        return v == null || v.isNull() ? null : v;
    }

    boolean has(String name) {
        return get(name) != null;
    }

    String requiredString(String name) {
        JsonNode v = get(name);
        if (v == null) {
            throw OpenAiException.invalid(name, "'" + name + "' is required");
        }
        if (!v.isTextual()) {
            throw OpenAiException.invalid(name, "'" + name + "' must be a string");
        }
        return v.textValue();
    }

    String optionalString(String name) {
        JsonNode v = get(name);
        if (v != null && !v.isTextual()) {
            throw OpenAiException.invalid(name, "'" + name + "' must be a string");
        }
        return v == null ? null : v.textValue();
    }

    boolean bool(String name, boolean absent) {
        JsonNode v = get(name);
        if (v == null) {
            return absent;
        }
        if (!v.isBoolean()) {
            throw OpenAiException.invalid(name, "'" + name + "' must be a boolean");
        }
        return v.booleanValue();
    }

    /** A number in [min, max] ({@code minExclusive}: in (min, max]). */
    double number(String name, double absent, double min, boolean minExclusive, double max) {
        JsonNode v = get(name);
        if (v == null) {
            return absent;
        }
        if (!v.isNumber()) {
            throw OpenAiException.invalid(name, "'" + name + "' must be a number");
        }
        double d = v.doubleValue();
        boolean low = minExclusive ? d <= min : d < min;
        if (low || d > max || Double.isNaN(d)) {
            throw OpenAiException.invalid(name, "'" + name + "' must be in " + (minExclusive ? "(" : "[") + fmt(min)
                    + ", " + fmt(max) + "], got " + v.asText());
        }
        return d;
    }

    /** An integer in [min, max], or null when absent. */
    Integer integer(String name, long min, long max) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        long value = integral(name, v);
        if (value < min || value > max) {
            throw OpenAiException.invalid(name, "'" + name + "' must be in [" + min + ", " + max + "], got " + value);
        }
        return (int) value;
    }

    /** Any 64-bit integer, or null when absent. */
    Long longInteger(String name) {
        JsonNode v = get(name);
        return v == null ? null : integral(name, v);
    }

    private static long integral(String name, JsonNode v) {
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw OpenAiException.invalid(name, "'" + name + "' must be an integer");
        }
        return v.longValue();
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
