package io.kvasir.engine.sampling;

/** A token and its log-probability under the model's raw distribution. */
public record TokenLogprob(int id, float logprob) {}
