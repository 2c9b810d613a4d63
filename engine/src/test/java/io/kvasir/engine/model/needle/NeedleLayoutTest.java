package io.kvasir.engine.model.needle;

import io.kvasir.engine.model.RopeScaling;
import io.kvasir.engine.model.RotaryEmbedding;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The design premise, checked against the engine's own RoPE: key coordinates barely turn across 128K positions. */
class NeedleLayoutTest {

    private static final int CONTEXT = 131072;

    @Test
    void keyCoordinatesSitInTheSlowestRotaryPairs() {
        for (int keys : new int[]{2, 16, 33, 64}) {
            NeedleLayout layout = NeedleLayout.forKeys(keys);
            int half = layout.headDim() / 2;
            RotaryEmbedding rope = new RotaryEmbedding(layout.headDim(), NeedleModelWriter.DEFAULT_ROPE_THETA,
                    RopeScaling.NONE, CONTEXT);
            float[] cos = new float[half], sin = new float[half];
            rope.angles(CONTEXT, cos, sin);
            Set<Integer> used = new HashSet<>();
            double worst = 0;
            for (int i = 0; i < keys; i++) {
                int element = layout.headKey(i);
                assertTrue(used.add(element), "key " + i + " has a head element of its own");
                int pair = element % half;
                assertTrue(pair >= 3 * half / 4, "key " + i + " of " + keys + " is in a slow pair, not pair " + pair);
                worst = Math.max(worst, Math.abs(Math.atan2(sin[pair], cos[pair])));
            }
            double bound = layout.maxKeyRotation(NeedleModelWriter.DEFAULT_ROPE_THETA, CONTEXT);
            assertEquals(bound, worst, 1e-4, keys + " keys: the stated bound is the real rotation");
            assertTrue(worst < 0.03, keys + " keys: " + worst + " rad across " + CONTEXT + " positions");
            assertTrue(layout.firstFiller() < layout.hidden(), "room for filler directions");
        }
    }
}
