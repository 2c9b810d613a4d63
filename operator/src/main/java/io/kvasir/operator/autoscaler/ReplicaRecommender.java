package io.kvasir.operator.autoscaler;

import io.kvasir.operator.api.AutoscalingSpec;
import io.kvasir.operator.api.DecodePoolSpec;
import io.kvasir.operator.api.PrefillPoolSpec;
import java.util.Locale;

/**
 * Pool sizes from one interval's load, before any stabilization. Each pool has a capacity model (prompt tokens
 * per second for prefill, concurrent sequences for decode) and a latency check against its SLO target; the larger
 * answer wins, because a latency miss means the capacity model is optimistic right now.
 */
final class ReplicaRecommender {
    /** Plan prefill for 80% utilisation: queueing delay, and so TTFT, grows steeply as utilisation nears 1. */
    static final double PREFILL_HEADROOM = 0.8;
    /** Latency within 10% of its target is on target: no reaction to noise around it. */
    static final double TOLERANCE = 0.1;
    /** One step at most doubles a pool: latency reacts to added replicas only after they warm up. */
    static final double MAX_STEP = 2.0;

    private ReplicaRecommender() {
    }

    static Recommendation prefill(PrefillPoolSpec pool, AutoscalingSpec targets, LoadRates load, int current) {
        double capacity = pool.tokensPerSecondPerReplica() * PREFILL_HEADROOM;
        var best = new Recommendation((int) Math.ceil(load.promptTokensPerSecond() / capacity), format(
                "prompt tokens %.0f/s need %.2f replicas at %.0f tokens/s each with 20%% headroom",
                load.promptTokensPerSecond(), load.promptTokensPerSecond() / capacity,
                (double) pool.tokensPerSecondPerReplica()));
        best = larger(best, latency("TTFT", load.ttftP90Seconds(), targets.targetTtftSeconds(), current));
        if (load.waitingRequests() > targets.maxQueue()) {
            best = larger(best, new Recommendation(current + 1, format("%.0f requests waiting, above maxQueue %d",
                    load.waitingRequests(), targets.maxQueue())));
        }
        return new Recommendation(pool.clamp(best.replicas()), best.reason());
    }

    static Recommendation decode(DecodePoolSpec pool, AutoscalingSpec targets, LoadRates load, int current) {
        var best = new Recommendation((int) Math.ceil(load.runningRequests() / pool.sequencesPerReplica()), format(
                "%.0f active sequences need %.2f replicas at %d sequences each",
                load.runningRequests(), load.runningRequests() / pool.sequencesPerReplica(),
                pool.sequencesPerReplica()));
        best = larger(best, latency("ITL", load.itlP90Seconds(), targets.targetItlSeconds(), current));
        return new Recommendation(pool.clamp(best.replicas()), best.reason());
    }

    /** Proportional to how far p90 latency overshoots its target, as the HPA scales on a utilisation ratio. */
    private static Recommendation latency(String name, double observed, double target, int current) {
        if (Double.isNaN(observed) || observed <= target * (1 + TOLERANCE)) {
            return new Recommendation(0, "");
        }
        double ratio = Math.min(observed / target, MAX_STEP);
        int replicas = Math.max(current + 1, (int) Math.ceil(Math.max(current, 1) * ratio));
        return new Recommendation(replicas, format("p90 %s %.3fs above target %.3fs", name, observed, target));
    }

    private static Recommendation larger(Recommendation a, Recommendation b) {
        return b.replicas() > a.replicas() ? b : a;
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
