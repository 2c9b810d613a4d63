package io.kvasir.engine.runtime;

/** Log-softmax of engine logits, in float64 so the comparison itself adds no error. */
final class LogProbs {

    private LogProbs() {
    }

    static float[] of(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        double lse = max + Math.log(sum);
        float[] out = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = (float) (logits[i] - lse);
        }
        return out;
    }
}
