package io.kvasir.engine.sampling;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Picks the next token of one sequence (not thread-safe; one per sequence, it owns the sequence's
 * random stream). Stages, as in vLLM: penalties, then temperature (below 1e-5 means greedy argmax,
 * ties to the lowest id), top-k, top-p, min-p, and a draw. Logprobs describe the raw model
 * distribution, before any of these stages, which is vLLM's default. A fixed seed gives the same
 * tokens for the same logits.
 */
public final class Sampler {

    /** vLLM's threshold below which a temperature means greedy decoding. */
    static final double GREEDY_TEMPERATURE = 1e-5;
    /** First guess of how many tokens hold the top-p mass; grown 4x until they do. */
    private static final int TOP_P_FIRST_GUESS = 256;

    private final SamplingParams params;
    private final long seed;
    private final RandomGenerator random;
    private long draws;
    private float[] work = new float[0];

    public Sampler(SamplingParams params) {
        this(params, new SamplerState(params.seed() != null ? params.seed() : ThreadLocalRandom.current().nextLong(), 0));
    }

    /** Continues the stream {@code state} describes: its seed, advanced past the draws already taken. */
    public Sampler(SamplingParams params, SamplerState state) {
        this.params = params;
        this.seed = state.seed();
        // An algorithm with a specified output, so a seed means the same stream on every JDK.
        this.random = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
        for (long i = 0; i < state.draws(); i++) {
            random.nextDouble();
        }
        this.draws = state.draws();
    }

    /** The seed (drawn at random when the parameters named none) and the draws taken so far. */
    public SamplerState state() {
        return new SamplerState(seed, draws);
    }

    /** Samples from {@code logits[offset, offset + vocab)}, which is left unchanged. */
    public SampledToken sample(float[] logits, int offset, int vocab, TokenHistory history) {
        if (work.length < vocab) {
            work = new float[vocab];
        }
        System.arraycopy(logits, offset, work, 0, vocab);
        Penalties.apply(work, vocab, history, params);
        int id = params.temperature() < GREEDY_TEMPERATURE ? argmax(work, vocab) : draw(work, vocab);
        if (params.logprobs() < 0) {
            return new SampledToken(id, Float.NaN, List.of());
        }
        double logZ = logSumExp(logits, offset, vocab);
        List<TokenLogprob> top = new ArrayList<>(params.logprobs());
        if (params.logprobs() > 0) {
            for (int t : TopTokens.largest(logits, offset, vocab, params.logprobs())) {
                top.add(new TokenLogprob(t, (float) (logits[offset + t] - logZ)));
            }
        }
        return new SampledToken(id, (float) (logits[offset + id] - logZ), top);
    }

    static int argmax(float[] values, int size) {
        int best = 0;
        for (int i = 1; i < size; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    private int draw(float[] logits, int vocab) {
        double invTemperature = 1.0 / params.temperature();
        int[] candidates = null;
        if (params.topKEnabled() && params.topK() < vocab) {
            candidates = TopTokens.largest(logits, 0, vocab, params.topK());
        }
        if (params.topP() < 1.0) {
            candidates = topP(logits, vocab, candidates, invTemperature);
        }
        double max = candidates != null ? logits[candidates[0]] : logits[argmax(logits, vocab)];
        int count = candidates != null ? candidates.length : vocab;
        // Weights relative to the most likely token: min-p keeps those at least minP of it.
        double minWeight = params.minP();
        double total = 0;
        for (int i = 0; i < count; i++) {
            double w = weight(logits, candidates, i, max, invTemperature);
            total += w >= minWeight ? w : 0;
        }
        double target = random.nextDouble() * total;
        draws++;
        int last = -1;
        double acc = 0;
        for (int i = 0; i < count; i++) {
            double w = weight(logits, candidates, i, max, invTemperature);
            if (w >= minWeight) {
                last = candidates != null ? candidates[i] : i;
                acc += w;
                if (acc > target) {
                    return last;
                }
            }
        }
        return last;
    }

    private static double weight(float[] logits, int[] candidates, int i, double max, double invTemperature) {
        int id = candidates != null ? candidates[i] : i;
        return Math.exp((logits[id] - max) * invTemperature);
    }

    /**
     * The smallest most-likely prefix of the candidates (all tokens when null) whose probability
     * reaches top-p. Without top-k it selects the top few hundred tokens instead of sorting the whole
     * vocabulary, growing the selection only when they do not hold enough mass.
     */
    private int[] topP(float[] logits, int vocab, int[] candidates, double invTemperature) {
        double max;
        double total = 0;
        if (candidates != null) {
            max = logits[candidates[0]];
            for (int id : candidates) {
                total += Math.exp((logits[id] - max) * invTemperature);
            }
        } else {
            max = logits[argmax(logits, vocab)];
            for (int id = 0; id < vocab; id++) {
                total += Math.exp((logits[id] - max) * invTemperature);
            }
        }
        double needed = params.topP() * total;
        int guess = TOP_P_FIRST_GUESS;
        while (true) {
            int[] sorted = candidates != null ? candidates : TopTokens.largest(logits, 0, vocab, guess);
            double mass = 0;
            for (int i = 0; i < sorted.length; i++) {
                mass += Math.exp((logits[sorted[i]] - max) * invTemperature);
                if (mass >= needed) {
                    return Arrays.copyOf(sorted, i + 1);
                }
            }
            if (candidates != null || sorted.length == vocab) {
                return sorted;
            }
            guess = (int) Math.min((long) guess * 4, vocab);
        }
    }

    private static double logSumExp(float[] logits, int offset, int vocab) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp(logits[offset + i] - max);
        }
        return max + Math.log(sum);
    }
}
