package io.kvasir.engine.gpu;

import io.kvasir.engine.attention.KeySpans;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmark's plan keeps the kernel's contract: disjoint ascending ranges, extra columns outside them. */
class GpuVerticalSlashPlanTest {

    @Test
    void rangesAreDisjointAndExtraColumnsLieOutsideThem() {
        VerticalSlashPlan plan = new VerticalSlashPlan(4, 4096, 200, 700, 3);
        for (int head = 0; head < 4; head++) {
            for (int first = 0; first < 4096; first += 64) {
                int last = first + 63;
                KeySpans spans = plan.spans(head, first, last);
                for (int i = 0; i < spans.starts().length; i++) {
                    assertTrue(spans.starts()[i] < spans.ends()[i] && spans.ends()[i] <= last + 1);
                    assertTrue(i == 0 || spans.ends()[i - 1] < spans.starts()[i], "ranges merged");
                }
                for (int c : spans.extraColumns()) {
                    assertTrue(c <= last);
                    for (int i = 0; i < spans.starts().length; i++) {
                        assertTrue(c < spans.starts()[i] || c >= spans.ends()[i], "column " + c + " inside a range");
                    }
                }
            }
        }
    }

    @Test
    void theLocalBandAndTheSinkAreAlwaysVisited() {
        VerticalSlashPlan plan = new VerticalSlashPlan(1, 4096, 200, 700, 3);
        KeySpans spans = plan.spans(0, 4032, 4095);
        // The 100 nearest diagonals from rows 4032..4095 reach keys 3933..4095: the last range ends at the diagonal.
        assertEquals(4096, spans.ends()[spans.ends().length - 1]);
        int lastStart = spans.starts()[spans.starts().length - 1];
        assertTrue(lastStart <= 4032 - 99, "local band starts at " + lastStart);
        for (int c = 0; c < VerticalSlashPlan.SINK_COLUMNS; c++) {
            int column = c;
            boolean inRange = false;
            for (int i = 0; i < spans.starts().length; i++) {
                inRange |= column >= spans.starts()[i] && column < spans.ends()[i];
            }
            assertTrue(inRange || java.util.Arrays.stream(spans.extraColumns()).anyMatch(x -> x == column));
        }
    }

    @Test
    void visitedPairsOfTheDensePlanAreTheCausalTriangle() {
        GpuAttentionPlan dense = GpuAttentionPlan.of(io.kvasir.engine.attention.AttentionPlan.dense(0), 2, 200, 0);
        assertEquals(2L * 200 * 201 / 2, GpuAttentionBenchmark.visitedPairs(dense, 200));
    }
}
