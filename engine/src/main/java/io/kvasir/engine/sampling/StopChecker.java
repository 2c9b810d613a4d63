package io.kvasir.engine.sampling;

import java.util.List;
import java.util.Set;

/**
 * Decides, token by token, whether a sequence ends and which text the client may see (one per
 * sequence, not thread-safe). Text that could be the start of a stop string is held back until it
 * is known not to be one, so a client never sees part of a stop string; stop strings may span tokens.
 * Stop strings and the text after them are left out, as are EOS and stop tokens, as in vLLM.
 */
public final class StopChecker {

    /** The text to emit for this token and, when the sequence ends here, why. */
    public record Decision(String text, FinishReason finishReason) {
        public boolean finished() {
            return finishReason != null;
        }
    }

    private final List<String> stops;
    private final Set<Integer> stopTokenIds;
    private final Set<Integer> eosTokenIds;
    private final boolean ignoreEos;
    private final int maxTokens;
    private final int longestStop;
    private String held = "";
    private int generated;
    private boolean finished;

    public StopChecker(SamplingParams params, Set<Integer> eosTokenIds) {
        this.stops = params.stop();
        this.stopTokenIds = params.stopTokenIds();
        this.eosTokenIds = Set.copyOf(eosTokenIds);
        this.ignoreEos = params.ignoreEos();
        this.maxTokens = params.maxTokens();
        this.longestStop = stops.stream().mapToInt(String::length).max().orElse(0);
    }

    /**
     * @param tokenId the generated token
     * @param text    its text from the streaming detokenizer (complete characters only)
     */
    public Decision accept(int tokenId, String text) {
        if (finished) {
            throw new IllegalStateException("the sequence has already finished");
        }
        generated++;
        if (stopTokenIds.contains(tokenId) || (!ignoreEos && eosTokenIds.contains(tokenId))) {
            return finish(held, FinishReason.STOP);
        }
        String pending = held + text;
        int stopAt = firstStop(pending);
        if (stopAt >= 0) {
            return finish(pending.substring(0, stopAt), FinishReason.STOP);
        }
        if (generated >= maxTokens) {
            return finish(pending, FinishReason.LENGTH);
        }
        int keep = longestStopPrefixSuffix(pending);
        held = pending.substring(pending.length() - keep);
        return new Decision(pending.substring(0, pending.length() - keep), null);
    }

    private Decision finish(String text, FinishReason reason) {
        finished = true;
        held = "";
        return new Decision(text, reason);
    }

    /** Where the earliest stop string starts, or -1. */
    private int firstStop(String text) {
        int first = -1;
        for (String stop : stops) {
            int at = text.indexOf(stop);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        return first;
    }

    /** Length of the longest end of the text that is a proper beginning of some stop string. */
    private int longestStopPrefixSuffix(String text) {
        for (int length = Math.min(longestStop - 1, text.length()); length > 0; length--) {
            String suffix = text.substring(text.length() - length);
            for (String stop : stops) {
                if (stop.length() > length && stop.startsWith(suffix)) {
                    return length;
                }
            }
        }
        return 0;
    }
}
