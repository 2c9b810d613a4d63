package io.kvasir.engine.model;

/**
 * {@code rope_scaling} of config.json. {@code type} is "default", "linear", "yarn" or "llama3";
 * fields that a type does not use keep their Hugging Face defaults.
 */
public record RopeScaling(
        String type,
        double factor,
        int originalMaxPositionEmbeddings,
        double betaFast,
        double betaSlow,
        double lowFreqFactor,
        double highFreqFactor) {

    public static final RopeScaling NONE = new RopeScaling("default", 1.0, 0, 32, 1, 1, 4);

    public boolean isDefault() {
        return "default".equals(type);
    }
}
