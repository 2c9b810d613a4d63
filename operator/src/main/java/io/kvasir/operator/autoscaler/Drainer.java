package io.kvasir.operator.autoscaler;

import io.fabric8.kubernetes.api.model.Pod;
import io.kvasir.operator.api.KvasirCluster;
import io.kvasir.operator.api.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** The drain protocol: mark pods, wait until they are idle or out of time, then let them be removed. */
final class Drainer {
    /** How a drain ended for the pods it covered, or that it has not ended yet. */
    record Progress(boolean finished, String summary) {
    }

    private final PoolPods pods;
    private final PodLoadProbe probe;

    Drainer(PoolPods pods, PodLoadProbe probe) {
        this.pods = pods;
        this.probe = probe;
    }

    /**
     * Marks {@code count} pods as draining and returns their names. Pods that are not ready go first (they serve
     * least), then the youngest (their caches are coldest).
     */
    List<String> start(KvasirCluster cluster, Pool pool, int count, Instant now) {
        List<Pod> chosen = pods.pods(cluster, pool).stream()
                .filter(p -> !PoolPods.isDraining(p))
                .sorted(Comparator.comparing(PoolPods::isReady)
                        .thenComparing(p -> p.getMetadata().getCreationTimestamp(),
                                Comparator.nullsLast(Comparator.reverseOrder())))
                .limit(count)
                .toList();
        chosen.forEach(p -> pods.markDraining(p, now));
        return chosen.stream().map(p -> p.getMetadata().getName()).toList();
    }

    /** Once every pod is idle, gone, or past the timeout, gives each remaining one the lowest deletion cost. */
    Progress progress(KvasirCluster cluster, List<String> names, Instant now, Duration timeout) {
        var ready = new ArrayList<Pod>();
        var outcomes = new ArrayList<String>();
        for (String name : names) {
            Optional<Pod> pod = pods.find(cluster, name);
            if (pod.isEmpty()) {
                outcomes.add(name + " gone");
                continue;
            }
            OptionalInt active = probe.activeRequests(pod.get());
            Instant since = PoolPods.drainingSince(pod.get()).orElse(now);
            if (active.isPresent() && active.getAsInt() == 0) {
                outcomes.add(name + " idle");
            } else if (!now.isBefore(since.plus(timeout))) {
                outcomes.add(name + " timed out with " + (active.isPresent() ? active.getAsInt() : "unknown")
                        + " active requests");
            } else {
                return new Progress(false, name + " still serving "
                        + (active.isPresent() ? active.getAsInt() : "an unknown number of") + " requests");
            }
            ready.add(pod.get());
        }
        ready.forEach(pods::markForRemoval);
        return new Progress(true, String.join(", ", outcomes));
    }

    void cancel(KvasirCluster cluster, List<String> names) {
        names.forEach(name -> pods.find(cluster, name).ifPresent(pods::unmarkDraining));
    }
}
