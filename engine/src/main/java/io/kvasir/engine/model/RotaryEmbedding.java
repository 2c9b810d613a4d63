package io.kvasir.engine.model;

/**
 * Rotary position embedding in the rotate-halves layout of Hugging Face Qwen2/Llama: element {@code i} of a head
 * pairs with element {@code i + headDim/2}. Frequencies follow {@code rope_theta} and {@code rope_scaling}
 * (linear, llama3, YaRN with its attention temperature folded into cos/sin as HF does).
 */
public final class RotaryEmbedding {

    private final int headDim;
    private final double[] inverseFrequencies;
    private final double attentionScale;

    public RotaryEmbedding(ModelConfig config) {
        this(config.headDim(), config.ropeTheta(), config.ropeScaling(), config.maxPositionEmbeddings());
    }

    public RotaryEmbedding(int headDim, double theta, RopeScaling scaling, int maxPositionEmbeddings) {
        this.headDim = headDim;
        int half = headDim / 2;
        double[] base = new double[half];
        for (int i = 0; i < half; i++) {
            base[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
        }
        int originalMax = scaling.originalMaxPositionEmbeddings() > 0 ? scaling.originalMaxPositionEmbeddings() : maxPositionEmbeddings;
        this.inverseFrequencies = switch (scaling.type()) {
            case "linear" -> scaleAll(base, 1.0 / scaling.factor());
            case "llama3" -> llama3(base, scaling, originalMax);
            case "yarn" -> yarn(base, theta, scaling, originalMax);
            default -> base;
        };
        this.attentionScale = "yarn".equals(scaling.type()) && scaling.factor() > 1
                ? 0.1 * Math.log(scaling.factor()) + 1.0
                : 1.0;
    }

    public int headDim() {
        return headDim;
    }

    public double inverseFrequency(int i) {
        return inverseFrequencies[i];
    }

    /** The YaRN attention temperature folded into cos and sin (1 for every other scaling). */
    public double attentionScale() {
        return attentionScale;
    }

    /** Fills {@code cos} and {@code sin} (length headDim/2) for {@code position}. */
    public void angles(int position, float[] cos, float[] sin) {
        for (int i = 0; i < inverseFrequencies.length; i++) {
            double angle = position * inverseFrequencies[i];
            cos[i] = (float) (Math.cos(angle) * attentionScale);
            sin[i] = (float) (Math.sin(angle) * attentionScale);
        }
    }

    /**
     * Rotates {@code heads} consecutive heads of {@code x} starting at {@code offset} by the angles at
     * {@code cos[angleOffset..]}, {@code sin[angleOffset..]} (headDim/2 each).
     */
    public void rotate(float[] x, int offset, int heads, float[] cos, float[] sin, int angleOffset) {
        int half = headDim / 2;
        for (int h = 0; h < heads; h++) {
            int base = offset + h * headDim;
            for (int i = 0; i < half; i++) {
                float x0 = x[base + i];
                float x1 = x[base + i + half];
                float cs = cos[angleOffset + i], sn = sin[angleOffset + i];
                x[base + i] = x0 * cs - x1 * sn;
                x[base + i + half] = x1 * cs + x0 * sn;
            }
        }
    }

    private static double[] scaleAll(double[] f, double s) {
        double[] out = f.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] *= s;
        }
        return out;
    }

    /** Llama 3.1: long wavelengths interpolated by the factor, short ones kept, a smooth blend between. */
    private static double[] llama3(double[] f, RopeScaling s, int originalMax) {
        double lowFreqWavelen = originalMax / s.lowFreqFactor();
        double highFreqWavelen = originalMax / s.highFreqFactor();
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            double wavelen = 2 * Math.PI / f[i];
            if (wavelen > lowFreqWavelen) {
                out[i] = f[i] / s.factor();
            } else if (wavelen < highFreqWavelen) {
                out[i] = f[i];
            } else {
                double smooth = (originalMax / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
                out[i] = (1 - smooth) * f[i] / s.factor() + smooth * f[i];
            }
        }
        return out;
    }

    /** YaRN: dimensions that rotate fast keep their frequency, slow ones are interpolated, a linear ramp between. */
    private static double[] yarn(double[] f, double theta, RopeScaling s, int originalMax) {
        int dim = f.length * 2;
        double low = Math.max(0, Math.floor(correctionDim(s.betaFast(), dim, theta, originalMax)));
        double high = Math.min(dim - 1, Math.ceil(correctionDim(s.betaSlow(), dim, theta, originalMax)));
        if (low == high) {
            high += 0.001; // avoid a zero-width ramp
        }
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            double ramp = Math.min(1, Math.max(0, (i - low) / (high - low)));
            double extrapolationWeight = 1 - ramp;
            out[i] = f[i] / s.factor() * (1 - extrapolationWeight) + f[i] * extrapolationWeight;
        }
        return out;
    }

    private static double correctionDim(double rotations, int dim, double theta, int maxPositions) {
        return dim * Math.log(maxPositions / (rotations * 2 * Math.PI)) / (2 * Math.log(theta));
    }
}
