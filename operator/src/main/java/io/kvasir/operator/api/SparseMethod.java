package io.kvasir.operator.api;

import com.fasterxml.jackson.annotation.JsonValue;

/** The prefill workers' sparse-attention methods, spelled as their {@code kvasir.prefill.sparse.method} key wants. */
public enum SparseMethod {
    DENSE("dense"),
    A_SHAPE("a-shape"),
    VERTICAL_SLASH("vertical-slash"),
    BLOCK_SPARSE("block-sparse"),
    SEER("seer"),
    S2("s2");

    private final String configValue;

    SparseMethod(String configValue) {
        this.configValue = configValue;
    }

    @JsonValue
    public String configValue() {
        return configValue;
    }
}
