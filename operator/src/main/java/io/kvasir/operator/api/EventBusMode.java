package io.kvasir.operator.api;

import com.fasterxml.jackson.annotation.JsonValue;

public enum EventBusMode {
    EMBEDDED("embedded"),
    KAFKA("kafka");

    private final String value;

    EventBusMode(String value) {
        this.value = value;
    }

    @JsonValue
    public String value() {
        return value;
    }
}
