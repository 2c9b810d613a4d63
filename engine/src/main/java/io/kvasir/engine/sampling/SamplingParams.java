package io.kvasir.engine.sampling;

import java.util.List;
import java.util.Set;

/**
 * How one sequence picks its tokens and when it stops, with vLLM's defaults and ranges.
 *
 * @param temperature       0 for greedy; otherwise logits are divided by it
 * @param topK              keep the k most likely tokens; -1 (or 0) keeps all
 * @param topP              keep the smallest most-likely set whose probability reaches this; 1 keeps all
 * @param minP              drop tokens less likely than minP times the most likely one; 0 keeps all
 * @param presencePenalty   subtracted once from every token already generated (-2..2)
 * @param frequencyPenalty  subtracted per occurrence in the generated tokens (-2..2)
 * @param repetitionPenalty over prompt and generated tokens: positive logits divided, negative multiplied; 1 is off
 * @param seed              fixes the random draws; null draws a fresh seed
 * @param stop              strings that end generation; they are not part of the output
 * @param stopTokenIds      ids that end generation besides EOS
 * @param maxTokens         upper bound on generated tokens
 * @param logprobs          top-N alternatives to report; 0 reports only the sampled token's, -1 none
 * @param ignoreEos         keep generating past EOS (benchmarks)
 */
public record SamplingParams(
        double temperature,
        int topK,
        double topP,
        double minP,
        double presencePenalty,
        double frequencyPenalty,
        double repetitionPenalty,
        Long seed,
        List<String> stop,
        Set<Integer> stopTokenIds,
        int maxTokens,
        int logprobs,
        boolean ignoreEos) {

    /** vLLM's default cap on returned alternatives. */
    public static final int MAX_LOGPROBS = 20;

    public SamplingParams {
        stop = List.copyOf(stop);
        stopTokenIds = Set.copyOf(stopTokenIds);
        require(temperature >= 0 && Double.isFinite(temperature), "temperature must be >= 0, got " + temperature);
        require(topK >= -1, "top_k must be -1 (off) or positive, got " + topK);
        require(topP > 0 && topP <= 1, "top_p must be in (0, 1], got " + topP);
        require(minP >= 0 && minP <= 1, "min_p must be in [0, 1], got " + minP);
        require(presencePenalty >= -2 && presencePenalty <= 2, "presence_penalty must be in [-2, 2], got " + presencePenalty);
        require(frequencyPenalty >= -2 && frequencyPenalty <= 2, "frequency_penalty must be in [-2, 2], got " + frequencyPenalty);
        require(repetitionPenalty > 0 && Double.isFinite(repetitionPenalty),
                "repetition_penalty must be > 0, got " + repetitionPenalty);
        require(maxTokens >= 1, "max_tokens must be >= 1, got " + maxTokens);
        require(logprobs >= -1 && logprobs <= MAX_LOGPROBS, "logprobs must be in [-1, " + MAX_LOGPROBS + "], got " + logprobs);
        require(stop.stream().noneMatch(String::isEmpty), "stop strings must not be empty");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /** vLLM's defaults: temperature 1, no truncation, no penalties, 16 tokens. */
    public static Builder builder() {
        return new Builder();
    }

    /** Argmax decoding with the other defaults. */
    public static SamplingParams greedy() {
        return builder().temperature(0).build();
    }

    public Builder toBuilder() {
        return new Builder().temperature(temperature).topK(topK).topP(topP).minP(minP)
                .presencePenalty(presencePenalty).frequencyPenalty(frequencyPenalty)
                .repetitionPenalty(repetitionPenalty).seed(seed).stop(stop).stopTokenIds(stopTokenIds)
                .maxTokens(maxTokens).logprobs(logprobs).ignoreEos(ignoreEos);
    }

    boolean topKEnabled() {
        return topK > 0;
    }

    public static final class Builder {
        private double temperature = 1.0;
        private int topK = -1;
        private double topP = 1.0;
        private double minP = 0.0;
        private double presencePenalty;
        private double frequencyPenalty;
        private double repetitionPenalty = 1.0;
        private Long seed;
        private List<String> stop = List.of();
        private Set<Integer> stopTokenIds = Set.of();
        private int maxTokens = 16;
        private int logprobs = -1;
        private boolean ignoreEos;

        private Builder() {}

        public Builder temperature(double v) { temperature = v; return this; }
        public Builder topK(int v) { topK = v == 0 ? -1 : v; return this; }
        public Builder topP(double v) { topP = v; return this; }
        public Builder minP(double v) { minP = v; return this; }
        public Builder presencePenalty(double v) { presencePenalty = v; return this; }
        public Builder frequencyPenalty(double v) { frequencyPenalty = v; return this; }
        public Builder repetitionPenalty(double v) { repetitionPenalty = v; return this; }
        public Builder seed(Long v) { seed = v; return this; }
        public Builder stop(List<String> v) { stop = v; return this; }
        public Builder stopTokenIds(Set<Integer> v) { stopTokenIds = v; return this; }
        public Builder maxTokens(int v) { maxTokens = v; return this; }
        public Builder logprobs(int v) { logprobs = v; return this; }
        public Builder ignoreEos(boolean v) { ignoreEos = v; return this; }

        public SamplingParams build() {
            return new SamplingParams(temperature, topK, topP, minP, presencePenalty, frequencyPenalty,
                    repetitionPenalty, seed, stop, stopTokenIds, maxTokens, logprobs, ignoreEos);
        }
    }
}
