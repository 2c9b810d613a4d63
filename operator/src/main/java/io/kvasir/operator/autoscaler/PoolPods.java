package io.kvasir.operator.autoscaler;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kvasir.operator.api.KvasirCluster;
import io.kvasir.operator.api.Pool;
import io.kvasir.operator.reconciler.Names;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The pods of one pool, and the marks the drain protocol puts on them.
 *
 * <p>A draining pod gets {@code kvasir.io/serving=false}, which takes it out of its pool's headless Service (the
 * Service selects {@code serving=true}; the Deployment does not, so the pod stays owned), and
 * {@code kvasir.io/draining=true} for anything that watches pods directly. When it is idle it gets the lowest
 * {@code controller.kubernetes.io/pod-deletion-cost}, so the ReplicaSet removes exactly it when replicas drop.
 */
public final class PoolPods {
    public static final String DRAINING = "kvasir.io/draining";
    public static final String DRAINING_SINCE = "kvasir.io/draining-since";
    public static final String DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";
    static final String LOWEST_COST = Integer.toString(Integer.MIN_VALUE);

    private final KubernetesClient client;

    public PoolPods(KubernetesClient client) {
        this.client = client;
    }

    /** The pool's pods that are not already on their way out. */
    public List<Pod> pods(KvasirCluster cluster, Pool pool) {
        return client.pods()
                .inNamespace(cluster.getMetadata().getNamespace())
                .withLabels(Names.selector(cluster, pool))
                .list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .toList();
    }

    public List<Pod> readyPods(KvasirCluster cluster, Pool pool) {
        return pods(cluster, pool).stream().filter(PoolPods::isReady).toList();
    }

    public Optional<Pod> find(KvasirCluster cluster, String name) {
        return Optional.ofNullable(client.pods().inNamespace(cluster.getMetadata().getNamespace())
                .withName(name).get());
    }

    public static boolean isReady(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    public static boolean isDraining(Pod pod) {
        return "true".equals(annotation(pod, DRAINING));
    }

    public static Optional<Instant> drainingSince(Pod pod) {
        return Optional.ofNullable(annotation(pod, DRAINING_SINCE)).map(Instant::parse);
    }

    void markDraining(Pod pod, Instant since) {
        edit(pod, b -> b.editMetadata()
                .addToLabels(Names.SERVING, "false")
                .addToAnnotations(DRAINING, "true")
                .addToAnnotations(DRAINING_SINCE, since.toString())
                .endMetadata());
    }

    void unmarkDraining(Pod pod) {
        edit(pod, b -> b.editMetadata()
                .addToLabels(Names.SERVING, "true")
                .removeFromAnnotations(DRAINING)
                .removeFromAnnotations(DRAINING_SINCE)
                .endMetadata());
    }

    void markForRemoval(Pod pod) {
        edit(pod, b -> b.editMetadata().addToAnnotations(DELETION_COST, LOWEST_COST).endMetadata());
    }

    private void edit(Pod pod, UnaryOperator<PodBuilder> change) {
        client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                .edit(p -> change.apply(new PodBuilder(p)).build());
    }

    private static String annotation(Pod pod, String key) {
        var annotations = pod.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }
}
