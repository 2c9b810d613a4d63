package io.kvasir.engine.sampling;

import java.util.List;

/**
 * The chosen token. {@code logprob} is its log-probability under the raw model distribution
 * (log-softmax of the unmodified logits, vLLM's default), NaN when logprobs were not requested;
 * {@code top} holds the N most likely alternatives under that same distribution, most likely first.
 */
public record SampledToken(int id, float logprob, List<TokenLogprob> top) {
    public SampledToken {
        top = List.copyOf(top);
    }
}
