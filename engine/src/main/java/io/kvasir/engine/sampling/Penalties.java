package io.kvasir.engine.sampling;

import java.util.Map;

/** Repetition, frequency and presence penalties, in vLLM's order and with its definitions. */
final class Penalties {

    private Penalties() {}

    static void apply(float[] logits, int vocab, TokenHistory history, SamplingParams params) {
        double repetition = params.repetitionPenalty();
        if (repetition != 1.0) {
            // Dividing a positive logit and multiplying a negative one both make the token less likely.
            for (int i = 0; i < history.distinctSeen(); i++) {
                int id = history.seenId(i);
                if (id < vocab) {
                    float l = logits[id];
                    logits[id] = (float) (l > 0 ? l / repetition : l * repetition);
                }
            }
        }
        double frequency = params.frequencyPenalty();
        double presence = params.presencePenalty();
        if (frequency != 0 || presence != 0) {
            for (Map.Entry<Integer, Integer> e : history.generatedCounts().entrySet()) {
                int id = e.getKey();
                if (id < vocab) {
                    logits[id] = (float) (logits[id] - frequency * e.getValue() - presence);
                }
            }
        }
    }
}
