package io.kvasir.engine.attention.sparse;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The three ways a Seer query block picks key blocks from its gate probabilities, on one hand-made row of 10 causal
 * blocks: block 0 and blocks 8, 9 (the local diagonal) are forced and never returned.
 */
class SeerSelectionTest {

    //                                 0     1     2     3     4     5     6     7     8     9
    private static final double[] P = {0.20, 0.02, 0.25, 0.01, 0.10, 0.02, 0.05, 0.05, 0.15, 0.15};
    private static final int LOCAL = 8, CAUSAL = 10;

    @Test
    void massKeepsTheFewestBlocksReachingTheTargetWithTheForcedMassCounted() {
        // forced 0.50; + block 2 → 0.75, + 4 → 0.85, + 6/7 (tied 0.05) → 0.95
        assertArrayEquals(new int[]{2, 4, 6, 7}, SeerSelection.mass(0.95).pick(P, LOCAL, CAUSAL));
        assertArrayEquals(new int[]{2}, SeerSelection.mass(0.75).pick(P, LOCAL, CAUSAL));
        assertArrayEquals(new int[0], SeerSelection.mass(0.5).pick(P, LOCAL, CAUSAL));
        assertArrayEquals(new int[]{1, 2, 3, 4, 5, 6, 7}, SeerSelection.mass(1).pick(P, LOCAL, CAUSAL));
    }

    @Test
    void ratioKeepsTheBestShareOfTheCausalBlocksBesidesTheForcedOnes() {
        assertArrayEquals(new int[]{2, 4}, SeerSelection.topRatio(0.2).pick(P, LOCAL, CAUSAL));
    }

    @Test
    void thresholdKeepsEveryBlockAtOrAboveIt() {
        assertArrayEquals(new int[]{2, 4, 6, 7}, SeerSelection.threshold(0.05).pick(P, LOCAL, CAUSAL));
    }

    @Test
    void noCandidatesBeforeTheLocalDiagonal() {
        assertArrayEquals(new int[0], SeerSelection.mass(0.95).pick(new double[]{0.5, 0.5}, 0, 2));
    }

    @Test
    void refusesValuesOutsideTheirRange() {
        assertThrows(IllegalArgumentException.class, () -> SeerSelection.mass(0));
        assertThrows(IllegalArgumentException.class, () -> SeerSelection.topRatio(1.5));
        assertThrows(IllegalArgumentException.class, () -> SeerSelection.threshold(1));
    }
}
