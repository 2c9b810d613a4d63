package io.kvasir.operator.api;

import com.fasterxml.jackson.annotation.JsonValue;

public enum ScalingAction {
    /** Replicas added at once: under-provisioning hurts the SLO now. */
    SCALE_UP("ScaleUp"),
    /** Pods marked as draining; the replica count drops once they are idle. */
    DRAIN_STARTED("DrainStarted"),
    /** Drained pods removed. */
    SCALE_DOWN("ScaleDown"),
    /** Load came back while pods drained; they serve again. */
    DRAIN_CANCELLED("DrainCancelled");

    private final String value;

    ScalingAction(String value) {
        this.value = value;
    }

    @JsonValue
    public String value() {
        return value;
    }
}
