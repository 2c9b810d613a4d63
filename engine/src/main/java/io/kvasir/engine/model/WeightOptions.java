package io.kvasir.engine.model;

/** How weights are prepared at load time. */
public record WeightOptions(boolean quantizeQ8_0) {

    public static final WeightOptions AS_STORED = new WeightOptions(false);
}
