package io.kvasir.operator.autoscaler;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Hysteresis for one pool: up at once, down only to the highest recommendation of the whole cooldown window and
 * only when the window is full and the last scaling is a cooldown old. A signal that dips and recovers within the
 * window therefore never scales down, so it cannot make the pool oscillate.
 */
final class ScaleStabilizer {
    private record Entry(Instant time, int replicas) {
    }

    private final Deque<Entry> window = new ArrayDeque<>();
    private Instant trackingSince;

    /**
     * @param lastScale when this pool last changed size, or null if never
     * @return the pool size to move to now
     */
    int stabilize(Instant now, int recommended, int current, Duration cooldown, Instant lastScale) {
        if (trackingSince == null) {
            trackingSince = now;
        }
        window.addLast(new Entry(now, recommended));
        while (window.getFirst().time().isBefore(now.minus(cooldown))) {
            window.removeFirst();
        }
        if (recommended > current) {
            return recommended;
        }
        boolean windowFull = !trackingSince.isAfter(now.minus(cooldown));
        boolean cooledDown = lastScale == null || !lastScale.isAfter(now.minus(cooldown));
        if (!windowFull || !cooledDown) {
            return current;
        }
        int highest = window.stream().mapToInt(Entry::replicas).max().orElse(current);
        return Math.min(current, highest);
    }
}
