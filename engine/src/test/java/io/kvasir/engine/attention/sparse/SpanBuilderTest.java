package io.kvasir.engine.attention.sparse;

import io.kvasir.engine.attention.KeySpans;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Span building: ranges merged and clipped, columns deduplicated and dropped inside ranges; top-k selection. */
class SpanBuilderTest {

    @Test
    void mergesRangesAndDropsCoveredColumns() {
        SpanBuilder b = new SpanBuilder();
        b.range(100, 164);
        b.range(-20, 10);
        b.range(150, 200);
        b.range(200, 210);
        b.range(300, 400);
        b.column(5);
        b.column(50);
        b.column(50);
        b.column(160);
        b.column(250);
        b.column(399);
        KeySpans s = b.build(350);
        assertArrayEquals(new int[]{0, 100, 300}, s.starts());
        assertArrayEquals(new int[]{10, 210, 350}, s.ends());
        assertArrayEquals(new int[]{50, 250}, s.extraColumns());
    }

    @Test
    void topKPicksTheLargestAndBreaksTiesByPosition() {
        float[] scores = {0.1f, 5f, 3f, 5f, Float.POSITIVE_INFINITY, 0.2f, 3f};
        assertArrayEquals(new int[]{1, 3, 4}, TopK.indices(scores, scores.length, 3));
        assertArrayEquals(new int[]{1, 2, 3, 4}, TopK.indices(scores, scores.length, 4));
        assertArrayEquals(new int[]{0, 1, 2}, TopK.indices(scores, 3, 5));
    }
}
