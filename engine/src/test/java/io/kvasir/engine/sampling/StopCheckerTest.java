package io.kvasir.engine.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StopCheckerTest {

    private static final int EOS = 99;

    @Test
    void stopStringSpanningTokensIsNeverShownAndEndsTheSequence() {
        StopChecker checker = new StopChecker(params(List.of("</answer>"), 100), Set.of(EOS));
        StringBuilder shown = new StringBuilder();
        String[] pieces = {"The result", " is 4<", "/ans", "wer> and more"};
        StopChecker.Decision last = null;
        for (int i = 0; i < pieces.length; i++) {
            last = checker.accept(i, pieces[i]);
            shown.append(last.text());
            assertFalse(shown.toString().contains("<"), "a prefix of the stop string leaked: " + shown);
        }
        assertEquals("The result is 4", shown.toString());
        assertEquals(FinishReason.STOP, last.finishReason());
    }

    @Test
    void heldTextIsReleasedWhenItTurnsOutNotToBeAStop() {
        StopChecker checker = new StopChecker(params(List.of("STOP", "\n\n"), 100), Set.of(EOS));
        assertEquals("a ", checker.accept(1, "a ST").text());
        assertEquals("STaR", checker.accept(2, "aR\n").text());
        StopChecker.Decision decision = checker.accept(3, "x");
        assertEquals("\nx", decision.text());
        assertNull(decision.finishReason());
    }

    @Test
    void earliestStopWinsWithinOnePiece() {
        StopChecker checker = new StopChecker(params(List.of("bc", "ab"), 100), Set.of(EOS));
        assertEquals("x", checker.accept(1, "xabc").text());
    }

    @Test
    void eosStopTokensAndMaxTokens() {
        StopChecker eos = new StopChecker(params(List.of(), 100), Set.of(EOS));
        assertEquals(FinishReason.STOP, eos.accept(EOS, "<|im_end|>").finishReason());

        SamplingParams ignoring = SamplingParams.builder().ignoreEos(true).maxTokens(2).stopTokenIds(Set.of(7)).build();
        StopChecker benchmark = new StopChecker(ignoring, Set.of(EOS));
        assertNull(benchmark.accept(EOS, "x").finishReason(), "EOS ignored");
        StopChecker.Decision length = benchmark.accept(5, "y");
        assertEquals(FinishReason.LENGTH, length.finishReason());
        assertEquals("length", length.finishReason().wireName());

        StopChecker stopToken = new StopChecker(ignoring, Set.of(EOS));
        assertEquals(FinishReason.STOP, stopToken.accept(7, "").finishReason());
    }

    @Test
    void heldPrefixIsFlushedAtLengthAndAtEos() {
        StopChecker length = new StopChecker(params(List.of("###"), 2), Set.of(EOS));
        assertEquals("ok", length.accept(1, "ok#").text());
        StopChecker.Decision last = length.accept(2, "#");
        assertEquals("##", last.text());
        assertEquals(FinishReason.LENGTH, last.finishReason());
        StopChecker eos = new StopChecker(params(List.of("###"), 10), Set.of(EOS));
        assertEquals("ok", eos.accept(1, "ok##").text());
        assertEquals("##", eos.accept(EOS, "").text());
    }

    private static SamplingParams params(List<String> stop, int maxTokens) {
        return SamplingParams.builder().stop(stop).maxTokens(maxTokens).build();
    }
}
