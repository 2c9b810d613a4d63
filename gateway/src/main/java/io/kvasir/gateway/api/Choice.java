package io.kvasir.gateway.api;

import io.kvasir.engine.sampling.FinishReason;
import io.kvasir.engine.sampling.SampledToken;

import java.util.ArrayList;
import java.util.List;

/** One choice's output as it accumulates: text, sampled tokens, how it ended. Guarded by its request's lock. */
final class Choice {

    final int index;
    final int promptIndex;
    final StringBuilder text = new StringBuilder();
    final List<SampledToken> tokens = new ArrayList<>();
    /** Characters of text already generated before each token, for completions' {@code text_offset}. */
    final List<Integer> offsets = new ArrayList<>();
    FinishReason finishReason;
    int cachedPromptTokens;
    long lastTokenNanos;
    boolean started;

    Choice(int index, int promptIndex) {
        this.index = index;
        this.promptIndex = promptIndex;
    }
}
