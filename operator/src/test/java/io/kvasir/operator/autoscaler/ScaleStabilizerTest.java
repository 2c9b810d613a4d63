package io.kvasir.operator.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ScaleStabilizerTest {
    private static final Instant T0 = Instant.parse("2026-11-26T04:00:00Z");
    private static final Duration COOLDOWN = Duration.ofSeconds(60);

    @Test
    void scalesUpAtOnce() {
        assertThat(new ScaleStabilizer().stabilize(T0, 5, 2, COOLDOWN, null)).isEqualTo(5);
    }

    @Test
    void scalesDownOnlyToTheHighestRecommendationOfAFullWindow() {
        var stabilizer = new ScaleStabilizer();
        assertThat(stabilizer.stabilize(T0, 3, 6, COOLDOWN, null)).isEqualTo(6);
        assertThat(stabilizer.stabilize(T0.plusSeconds(30), 1, 6, COOLDOWN, null)).isEqualTo(6);
        // The window is full; 3 (at T0) is still in it.
        assertThat(stabilizer.stabilize(T0.plusSeconds(60), 1, 6, COOLDOWN, null)).isEqualTo(3);
        // T0 left the window: the highest remaining is 1.
        assertThat(stabilizer.stabilize(T0.plusSeconds(61), 1, 3, COOLDOWN, null)).isEqualTo(1);
    }

    @Test
    void waitsACooldownAfterTheLastScaling() {
        var stabilizer = new ScaleStabilizer();
        stabilizer.stabilize(T0, 1, 4, COOLDOWN, null);
        Instant lastScale = T0.plusSeconds(50);
        assertThat(stabilizer.stabilize(T0.plusSeconds(70), 1, 4, COOLDOWN, lastScale)).isEqualTo(4);
        assertThat(stabilizer.stabilize(T0.plusSeconds(110), 1, 4, COOLDOWN, lastScale)).isEqualTo(1);
    }
}
