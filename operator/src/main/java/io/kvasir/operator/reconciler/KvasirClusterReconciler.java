package io.kvasir.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.kvasir.operator.api.KvasirCluster;
import io.kvasir.operator.api.KvasirClusterStatus;
import io.kvasir.operator.api.Pool;
import io.kvasir.operator.api.ScalingDecision;
import io.kvasir.operator.autoscaler.Autoscaler;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Brings a KvasirCluster's owned resources to its spec, runs the autoscaler, and reports in status. Owned
 * resources carry owner references, so deleting the cluster deletes them through the garbage collector and no
 * finalizer is needed.
 */
@ControllerConfiguration(name = KvasirClusterReconciler.NAME)
public class KvasirClusterReconciler implements Reconciler<KvasirCluster> {
    public static final String NAME = "kvasircluster";

    private final Clock clock;
    private final Autoscaler autoscaler;
    private final ClusterConditions conditions;

    public KvasirClusterReconciler(Clock clock, Autoscaler autoscaler) {
        this.clock = clock;
        this.autoscaler = autoscaler;
        this.conditions = new ClusterConditions(clock);
    }

    /** Readiness changes of the workloads re-run the reconciliation, so conditions follow the rollout. */
    @Override
    public List<EventSource<?, KvasirCluster>> prepareEventSources(EventSourceContext<KvasirCluster> context) {
        return List.of(
                new InformerEventSource<>(InformerEventSourceConfiguration.from(Deployment.class, KvasirCluster.class)
                        .withLabelSelector(Names.MANAGED_BY_SELECTOR).build(), context),
                new InformerEventSource<>(InformerEventSourceConfiguration.from(StatefulSet.class, KvasirCluster.class)
                        .withLabelSelector(Names.MANAGED_BY_SELECTOR).build(), context));
    }

    @Override
    public UpdateControl<KvasirCluster> reconcile(KvasirCluster cluster, Context<KvasirCluster> context) {
        if (cluster.getStatus() == null) {
            cluster.setStatus(new KvasirClusterStatus());
        }
        var events = new ClusterEvents(context.getClient(), clock);
        cluster.getStatus().setObservedGeneration(cluster.getMetadata().getGeneration());
        List<String> problems = SpecValidator.problems(cluster.getSpec());
        if (!problems.isEmpty()) {
            String before = degradedMessage(cluster);
            conditions.invalidSpec(cluster, problems);
            if (!Objects.equals(before, degradedMessage(cluster))) {
                events.warning(cluster, "InvalidSpec", String.join("; ", problems));
            }
            return writeStatus(cluster, context);
        }
        ReplicaPlan.initialize(cluster);
        List<ScalingDecision> decisions = cluster.getSpec().autoscaling().enabled()
                ? autoscaler.evaluate(cluster) : autoscaler.stop(cluster);
        decisions.forEach(d -> events.normal(cluster, d.action().value(), String.format(Locale.ROOT,
                "%s %d -> %d: %s", d.pool(), d.fromReplicas(), d.toReplicas(), d.reason())));

        var applier = new ResourceApplier(context.getClient());
        var written = new ArrayList<String>();
        var notReady = new ArrayList<String>();
        for (HasMetadata desired : DesiredResources.of(cluster, ReplicaPlan.deploymentReplicas(cluster))) {
            ResourceApplier.Applied<HasMetadata> applied = applier.apply(desired);
            if (applied.outcome() != ResourceApplier.Outcome.UNCHANGED) {
                written.add(applied.outcome().name().toLowerCase(Locale.ROOT) + " " + desired.getKind() + " "
                        + desired.getMetadata().getName());
            }
            readiness(cluster, applied.live(), notReady);
        }
        if (!written.isEmpty()) {
            events.normal(cluster, "ResourcesApplied", String.join(", ", written));
        }
        boolean wasReady = isReady(cluster);
        conditions.rollout(cluster, notReady);
        if (isReady(cluster) && !wasReady) {
            events.normal(cluster, "Ready", "every pool has its desired ready replicas");
        }
        var control = writeStatus(cluster, context);
        if (cluster.getSpec().autoscaling().enabled()) {
            control.rescheduleAfter(cluster.getSpec().autoscaling().interval());
        }
        return control;
    }

    @Override
    public ErrorStatusUpdateControl<KvasirCluster> updateErrorStatus(KvasirCluster cluster,
                                                                    Context<KvasirCluster> context, Exception e) {
        if (cluster.getStatus() == null) {
            cluster.setStatus(new KvasirClusterStatus());
        }
        conditions.applyFailed(cluster, e.getMessage());
        new ClusterEvents(context.getClient(), clock).warning(cluster, "ApplyFailed", String.valueOf(e.getMessage()));
        writeStatus(cluster, context);
        return ErrorStatusUpdateControl.noStatusUpdate();
    }

    /**
     * Replaces the whole status through the status subresource. JOSDK's non-SSA status patch is a JSON Patch against
     * its cached copy and fails when the stored status differs in shape from that copy; a replacement needs no base,
     * and the operator is the status's only writer, so it cannot lose anyone else's change.
     */
    private static UpdateControl<KvasirCluster> writeStatus(KvasirCluster cluster, Context<KvasirCluster> context) {
        var update = new KvasirCluster();
        update.setMetadata(new ObjectMetaBuilder()
                .withName(cluster.getMetadata().getName())
                .withNamespace(cluster.getMetadata().getNamespace())
                .build());
        update.setStatus(cluster.getStatus());
        context.getClient().resource(update).updateStatus();
        return UpdateControl.noUpdate();
    }

    /** Records a workload's ready replicas in status and notes it if it is short of its desired count. */
    private static void readiness(KvasirCluster cluster, HasMetadata live, List<String> notReady) {
        Pool pool;
        Integer ready;
        if (live instanceof Deployment deployment) {
            pool = poolOf(cluster, deployment);
            ready = deployment.getStatus() == null ? null : deployment.getStatus().getReadyReplicas();
        } else if (live instanceof StatefulSet statefulSet) {
            pool = Pool.KV_STORE;
            ready = statefulSet.getStatus() == null ? null : statefulSet.getStatus().getReadyReplicas();
        } else {
            return;
        }
        int readyReplicas = ready == null ? 0 : ready;
        var status = cluster.getStatus().pool(pool);
        status.setReadyReplicas(readyReplicas);
        if (readyReplicas < status.getDesiredReplicas()) {
            notReady.add(pool.key() + " " + readyReplicas + "/" + status.getDesiredReplicas());
        }
    }

    private static Pool poolOf(KvasirCluster cluster, Deployment deployment) {
        for (Pool pool : Pool.values()) {
            if (Names.workload(cluster, pool).equals(deployment.getMetadata().getName())) {
                return pool;
            }
        }
        throw new IllegalStateException("not a pool Deployment: " + deployment.getMetadata().getName());
    }

    private static boolean isReady(KvasirCluster cluster) {
        return cluster.getStatus().getConditions().stream()
                .anyMatch(c -> ClusterConditions.READY.equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static String degradedMessage(KvasirCluster cluster) {
        return cluster.getStatus().getConditions().stream()
                .filter(c -> ClusterConditions.DEGRADED.equals(c.getType()) && "True".equals(c.getStatus()))
                .map(c -> c.getMessage()).findFirst().orElse(null);
    }
}
