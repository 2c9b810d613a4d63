package io.kvasir.engine.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerTest {

    private static final TokenHistory EMPTY = new TokenHistory(new int[0]);

    @Test
    void greedyTakesTheArgmaxWithTiesToTheLowestId() {
        Sampler sampler = new Sampler(SamplingParams.greedy());
        assertEquals(2, sampler.sample(new float[] {1, 3, 5, 5, 2}, 0, 5, EMPTY).id());
        float[] batch = {9, 9, 9, 0, 1, 7, 7, 3};
        assertEquals(2, sampler.sample(batch, 3, 5, EMPTY).id(), "reads only its row, ids relative to it");
    }

    @Test
    void penaltiesMatchTheirDefinitions() {
        float[] logits = {2, -2, 2, -2, 1};
        TokenHistory history = new TokenHistory(new int[] {0, 1});
        history.append(2);
        history.append(2);
        history.append(3);
        SamplingParams params = SamplingParams.builder().repetitionPenalty(2).frequencyPenalty(0.5)
                .presencePenalty(0.25).build();
        float[] out = logits.clone();
        Penalties.apply(out, 5, history, params);
        // Repetition over prompt and output, then frequency x count and presence over the output.
        assertArrayEquals(new float[] {1, -4, 1 - 1.0f - 0.25f, -4 - 0.5f - 0.25f, 1}, out, 1e-6f);
    }

    @Test
    void penaltiesChangeTheGreedyChoiceAndLeaveTheCallersLogitsAlone() {
        float[] logits = {5, 4.9f, 0};
        TokenHistory history = new TokenHistory(new int[0]);
        history.append(0);
        Sampler sampler = new Sampler(SamplingParams.greedy().toBuilder().presencePenalty(1).build());
        assertEquals(1, sampler.sample(logits, 0, 3, history).id());
        assertArrayEquals(new float[] {5, 4.9f, 0}, logits);
    }

    @Test
    void topKTopPAndMinPKeepExactlyTheReferenceSets() {
        // Probabilities at temperature 1: 0.4, 0.3, 0.15, 0.1, 0.05.
        float[] logits = logitsOf(0.4, 0.3, 0.15, 0.1, 0.05);
        assertEquals(Set.of(0, 1), support(SamplingParams.builder().topK(2), logits));
        assertEquals(Set.of(0, 1), support(SamplingParams.builder().topP(0.7), logits));
        assertEquals(Set.of(0, 1, 2), support(SamplingParams.builder().topP(0.71), logits));
        // min-p 0.3: keep p >= 0.3 * 0.4 = 0.12.
        assertEquals(Set.of(0, 1, 2), support(SamplingParams.builder().minP(0.3), logits));
        // top-p after top-k renormalizes over the k kept: 0.4/0.85 < 0.5 <= 0.7/0.85.
        assertEquals(Set.of(0, 1), support(SamplingParams.builder().topK(3).topP(0.5), logits));
        assertEquals(Set.of(0, 1, 2, 3, 4), support(SamplingParams.builder(), logits));
    }

    @Test
    void topPOverALargeVocabularyMatchesAFullSort() {
        SplittableRandom random = new SplittableRandom(7);
        int vocab = 152_000;
        float[] logits = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            logits[i] = (float) (random.nextGaussian() * 3);
        }
        double topP = 0.9;
        Integer[] order = new Integer[vocab];
        for (int i = 0; i < vocab; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
        double max = logits[order[0]];
        double total = 0;
        for (float l : logits) {
            total += Math.exp(l - max);
        }
        Set<Integer> reference = new HashSet<>();
        double mass = 0;
        for (int id : order) {
            reference.add(id);
            mass += Math.exp(logits[id] - max) / total;
            if (mass >= topP) {
                break;
            }
        }
        Sampler sampler = new Sampler(SamplingParams.builder().topP(topP).seed(1L).build());
        for (int i = 0; i < 300; i++) {
            int id = sampler.sample(logits, 0, vocab, EMPTY).id();
            assertTrue(reference.contains(id), "token " + id + " is outside the top-p set");
        }
    }

    @Test
    void aSeedFixesTheTokens() {
        float[] logits = logitsOf(0.2, 0.2, 0.2, 0.2, 0.2);
        SamplingParams params = SamplingParams.builder().seed(42L).build();
        Sampler a = new Sampler(params);
        Sampler b = new Sampler(params);
        int[] first = new int[200];
        int[] second = new int[200];
        for (int i = 0; i < 200; i++) {
            first[i] = a.sample(logits, 0, 5, EMPTY).id();
            second[i] = b.sample(logits, 0, 5, EMPTY).id();
        }
        assertArrayEquals(first, second);
        assertEquals(5, Arrays.stream(first).distinct().count(), "and still samples");
    }

    @Test
    void aSamplerRebuiltFromItsStateContinuesTheSameStream() {
        float[] logits = logitsOf(0.2, 0.2, 0.2, 0.2, 0.2);
        // No seed: the one drawn at random must be part of the state, or a continuation could not follow it.
        SamplingParams params = SamplingParams.builder().build();
        Sampler whole = new Sampler(params);
        int[] expected = new int[100];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = whole.sample(logits, 0, 5, EMPTY).id();
        }
        Sampler first = new Sampler(SamplingParams.builder().seed(whole.state().seed()).build());
        int[] actual = new int[100];
        for (int i = 0; i < 37; i++) {
            actual[i] = first.sample(logits, 0, 5, EMPTY).id();
        }
        assertEquals(new SamplerState(whole.state().seed(), 37), first.state());
        Sampler continued = new Sampler(params, first.state());
        for (int i = 37; i < actual.length; i++) {
            actual[i] = continued.sample(logits, 0, 5, EMPTY).id();
        }
        assertArrayEquals(expected, actual);
        assertEquals(whole.state(), continued.state());
    }

    @Test
    void greedySamplingTakesNoDraws() {
        Sampler sampler = new Sampler(SamplingParams.builder().temperature(0).seed(9L).build());
        sampler.sample(logitsOf(0.1, 0.7, 0.2), 0, 3, EMPTY);
        assertEquals(new SamplerState(9L, 0), sampler.state());
    }

    @Test
    void temperatureSamplingFollowsTheSoftmax() {
        float[] logits = {1.0f, 0.5f, 0.0f, -0.5f, -1.0f, 2.0f};
        double temperature = 0.8;
        double[] expected = new double[logits.length];
        double total = 0;
        for (int i = 0; i < logits.length; i++) {
            expected[i] = Math.exp(logits[i] / temperature);
            total += expected[i];
        }
        int draws = 200_000;
        int[] counts = new int[logits.length];
        Sampler sampler = new Sampler(SamplingParams.builder().temperature(temperature).seed(2026L).build());
        for (int i = 0; i < draws; i++) {
            counts[sampler.sample(logits, 0, logits.length, EMPTY).id()]++;
        }
        double chiSquare = 0;
        for (int i = 0; i < logits.length; i++) {
            double e = draws * expected[i] / total;
            chiSquare += (counts[i] - e) * (counts[i] - e) / e;
        }
        // 5 degrees of freedom: P(chi2 > 30) is about 1.5e-5, and the seed is fixed, so this cannot
        // flake; a wrong temperature (e.g. none) gives a chi-square in the thousands.
        assertTrue(chiSquare < 30, "chi-square " + chiSquare);
    }

    @Test
    void logprobsDescribeTheRawDistribution() {
        float[] logits = logitsOf(0.5, 0.25, 0.125, 0.125);
        TokenHistory history = new TokenHistory(new int[] {0});
        SamplingParams params = SamplingParams.greedy().toBuilder().repetitionPenalty(100).logprobs(2).build();
        SampledToken token = new Sampler(params).sample(logits, 0, 4, history);
        assertEquals(1, token.id(), "the penalty moved the choice");
        assertEquals(Math.log(0.25), token.logprob(), 1e-6);
        assertEquals(List.of(0, 1), token.top().stream().map(TokenLogprob::id).toList());
        assertEquals(Math.log(0.5), token.top().get(0).logprob(), 1e-6);
        assertEquals(Math.log(0.25), token.top().get(1).logprob(), 1e-6);
        assertTrue(Float.isNaN(new Sampler(SamplingParams.greedy()).sample(logits, 0, 4, history).logprob()));
    }

    @Test
    void invalidParametersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().temperature(-1).build());
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().topP(0).build());
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().minP(1.5).build());
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().maxTokens(0).build());
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().logprobs(21).build());
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().stop(List.of("")).build());
    }

    private static float[] logitsOf(double... probabilities) {
        float[] logits = new float[probabilities.length];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) Math.log(probabilities[i]);
        }
        return logits;
    }

    /** Every token a configuration can produce, seen over many seeded draws. */
    private static Set<Integer> support(SamplingParams.Builder params, float[] logits) {
        Sampler sampler = new Sampler(params.seed(3L).build());
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            seen.add(sampler.sample(logits, 0, logits.length, EMPTY).id());
        }
        return seen;
    }
}
