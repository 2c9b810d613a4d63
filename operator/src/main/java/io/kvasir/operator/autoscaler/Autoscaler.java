package io.kvasir.operator.autoscaler;

import io.kvasir.operator.api.AutoscalingSpec;
import io.kvasir.operator.api.KvasirCluster;
import io.kvasir.operator.api.KvasirClusterSpec;
import io.kvasir.operator.api.KvasirClusterStatus;
import io.kvasir.operator.api.ObservedMetrics;
import io.kvasir.operator.api.Pool;
import io.kvasir.operator.api.PoolStatus;
import io.kvasir.operator.api.ScalingAction;
import io.kvasir.operator.api.ScalingDecision;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sizes the prefill and decode pools of a cluster once per interval. It writes the sizes into
 * {@code status.pools.*.desiredReplicas}, which the reconciler then applies to the Deployments; decisions go to
 * {@code status.scalingDecisions} and are returned so the caller can post them as Events.
 *
 * <p>State that must survive an operator restart (desired sizes, draining pods, last scale times) lives in the
 * status and on the pods; only the previous sample and the stabilization windows are in memory, and losing them
 * delays decisions by at most one interval and one cooldown.
 */
public final class Autoscaler {
    /** State of a cluster not evaluated for this long belongs to a deleted cluster (or one with autoscaling off). */
    static final Duration FORGET_AFTER = Duration.ofHours(1);

    private static final class ClusterState {
        Instant lastEvaluation;
        LoadSample previous;
        final Map<Pool, ScaleStabilizer> stabilizers = new EnumMap<>(Pool.class);
    }

    private final Clock clock;
    private final LoadSource load;
    private final Drainer drainer;
    private final Map<String, ClusterState> states = new ConcurrentHashMap<>();

    public Autoscaler(Clock clock, LoadSource load, PoolPods pods, PodLoadProbe probe) {
        this.clock = clock;
        this.load = load;
        this.drainer = new Drainer(pods, probe);
    }

    /** Evaluates the cluster if an interval has passed since the last time; returns the decisions taken. */
    public List<ScalingDecision> evaluate(KvasirCluster cluster) {
        AutoscalingSpec targets = cluster.getSpec().autoscaling();
        ClusterState state = states.computeIfAbsent(cluster.getMetadata().getUid(), uid -> new ClusterState());
        Instant now = clock.instant();
        states.values().removeIf(s -> s != state && s.lastEvaluation != null
                && s.lastEvaluation.isBefore(now.minus(FORGET_AFTER)));
        if (state.lastEvaluation != null && now.isBefore(state.lastEvaluation.plus(targets.interval()))) {
            return List.of();
        }
        state.lastEvaluation = now;
        Optional<LoadSample> sample = load.sample(cluster);
        if (sample.isEmpty()) {
            return List.of();
        }
        LoadSample previous = state.previous;
        state.previous = sample.get();
        if (previous == null) {
            return List.of();
        }
        LoadRates rates = LoadRates.between(previous, sample.get());
        KvasirClusterStatus status = cluster.getStatus();
        status.setObservedMetrics(observed(now, rates));
        KvasirClusterSpec spec = cluster.getSpec();
        var decisions = new ArrayList<ScalingDecision>();
        int prefill = status.pool(Pool.PREFILL).getDesiredReplicas();
        int decode = status.pool(Pool.DECODE).getDesiredReplicas();
        scale(cluster, Pool.PREFILL, ReplicaRecommender.prefill(spec.prefill(), targets, rates, prefill), state, now)
                .ifPresent(decisions::add);
        scale(cluster, Pool.DECODE, ReplicaRecommender.decode(spec.decode(), targets, rates, decode), state, now)
                .ifPresent(decisions::add);
        decisions.forEach(status::record);
        return decisions;
    }

    /** Autoscaling was turned off: pods left mid-drain serve again, since no scale-down will follow. */
    public List<ScalingDecision> stop(KvasirCluster cluster) {
        states.remove(cluster.getMetadata().getUid());
        var decisions = new ArrayList<ScalingDecision>();
        for (Pool pool : List.of(Pool.PREFILL, Pool.DECODE)) {
            PoolStatus status = cluster.getStatus().pool(pool);
            if (!status.getDraining().isEmpty()) {
                drainer.cancel(cluster, status.getDraining());
                int replicas = status.getDesiredReplicas() == null ? 0 : status.getDesiredReplicas();
                decisions.add(decision(clock.instant(), pool, ScalingAction.DRAIN_CANCELLED, replicas, replicas,
                        "autoscaling disabled while draining " + String.join(", ", status.getDraining())));
                status.setDraining(new ArrayList<>());
            }
        }
        decisions.forEach(cluster.getStatus()::record);
        return decisions;
    }

    private Optional<ScalingDecision> scale(KvasirCluster cluster, Pool pool, Recommendation recommendation,
                                            ClusterState state, Instant now) {
        AutoscalingSpec targets = cluster.getSpec().autoscaling();
        PoolStatus status = cluster.getStatus().pool(pool);
        int current = status.getDesiredReplicas();
        Instant lastScale = Optional.ofNullable(status.getLastScaleTime()).map(Instant::parse).orElse(null);
        int target = state.stabilizers.computeIfAbsent(pool, p -> new ScaleStabilizer())
                .stabilize(now, recommendation.replicas(), current, targets.cooldown(), lastScale);
        if (!status.getDraining().isEmpty()) {
            return continueDrain(cluster, pool, recommendation, target, now);
        }
        if (target > current) {
            status.setDesiredReplicas(target);
            status.setLastScaleTime(now.toString());
            return Optional.of(decision(now, pool, ScalingAction.SCALE_UP, current, target, recommendation.reason()));
        }
        if (target < current) {
            List<String> marked = drainer.start(cluster, pool, current - target, now);
            if (marked.isEmpty()) {
                return Optional.empty();
            }
            status.setDraining(new ArrayList<>(marked));
            return Optional.of(decision(now, pool, ScalingAction.DRAIN_STARTED, current, current - marked.size(),
                    "draining " + String.join(", ", marked) + " before removal; " + recommendation.reason()
                            + ", held for the " + targets.cooldownSeconds() + "s cooldown"));
        }
        return Optional.empty();
    }

    /** A drain is under way: finish it, or give pods back to serving if the load returned. */
    private Optional<ScalingDecision> continueDrain(KvasirCluster cluster, Pool pool, Recommendation recommendation,
                                                    int target, Instant now) {
        PoolStatus status = cluster.getStatus().pool(pool);
        int current = status.getDesiredReplicas();
        List<String> draining = status.getDraining();
        if (target >= current) {
            drainer.cancel(cluster, draining);
            var decision = decision(now, pool, ScalingAction.DRAIN_CANCELLED, current, current,
                    "load returned while draining " + String.join(", ", draining) + ": "
                            + recommendation.reason());
            status.setDraining(new ArrayList<>());
            return Optional.of(decision);
        }
        int afterDrain = current - draining.size();
        if (target > afterDrain) {
            // Load rose part way: the pods it needs back serve again; the rest keep draining.
            int keep = draining.size() - (target - afterDrain);
            List<String> released = List.copyOf(draining.subList(keep, draining.size()));
            drainer.cancel(cluster, released);
            var remaining = new ArrayList<>(draining.subList(0, keep));
            status.setDraining(remaining);
            return Optional.of(decision(now, pool, ScalingAction.DRAIN_CANCELLED, current,
                    current - remaining.size(), "load returned for " + String.join(", ", released)
                            + " while draining: " + recommendation.reason()));
        }
        Drainer.Progress progress = drainer.progress(cluster, draining, now,
                cluster.getSpec().autoscaling().drainTimeout());
        if (!progress.finished()) {
            return Optional.empty();
        }
        int smaller = current - draining.size();
        status.setDesiredReplicas(smaller);
        status.setDraining(new ArrayList<>());
        status.setLastScaleTime(now.toString());
        return Optional.of(decision(now, pool, ScalingAction.SCALE_DOWN, current, smaller,
                "drained: " + progress.summary()));
    }

    private static ScalingDecision decision(Instant now, Pool pool, ScalingAction action, int from, int to,
                                            String reason) {
        return new ScalingDecision(now.toString(), pool.key(), action, from, to, reason);
    }

    private static ObservedMetrics observed(Instant now, LoadRates rates) {
        return new ObservedMetrics(now.toString(), rates.promptTokensPerSecond(), rates.generationTokensPerSecond(),
                nanToZero(rates.ttftP90Seconds()), nanToZero(rates.itlP90Seconds()), rates.runningRequests(),
                rates.waitingRequests(), rates.kvUsageRatio());
    }

    /** JSON has no NaN; an interval without requests has no latency to report. */
    private static double nanToZero(double value) {
        return Double.isNaN(value) ? 0 : value;
    }
}
