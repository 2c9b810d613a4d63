package io.kvasir.operator.reconciler;

import io.kvasir.operator.api.KvasirCluster;
import io.kvasir.operator.api.KvasirClusterSpec;
import io.kvasir.operator.api.Pool;
import io.kvasir.operator.api.PoolStatus;
import io.kvasir.operator.api.ScalablePool;
import java.util.EnumMap;
import java.util.Map;

/**
 * Decides each pool's desired replicas before the autoscaler runs: the spec's count when autoscaling is off; when
 * it is on, the autoscaler's last count from status (the spec's count at first), kept within the spec's bounds so
 * that editing min or max takes effect at once.
 */
final class ReplicaPlan {
    private ReplicaPlan() {
    }

    static void initialize(KvasirCluster cluster) {
        KvasirClusterSpec spec = cluster.getSpec();
        boolean autoscaling = spec.autoscaling().enabled();
        cluster.getStatus().pool(Pool.GATEWAY).setDesiredReplicas(spec.gateway().replicas());
        cluster.getStatus().pool(Pool.KV_STORE).setDesiredReplicas(spec.kvStore().members());
        initialize(cluster.getStatus().pool(Pool.PREFILL), spec.prefill(), autoscaling);
        initialize(cluster.getStatus().pool(Pool.DECODE), spec.decode(), autoscaling);
    }

    private static void initialize(PoolStatus status, ScalablePool pool, boolean autoscaling) {
        Integer previous = status.getDesiredReplicas();
        int replicas = autoscaling && previous != null ? pool.clamp(previous) : pool.replicas();
        status.setDesiredReplicas(replicas);
    }

    static Map<Pool, Integer> deploymentReplicas(KvasirCluster cluster) {
        var replicas = new EnumMap<Pool, Integer>(Pool.class);
        for (Pool pool : new Pool[] {Pool.GATEWAY, Pool.PREFILL, Pool.DECODE}) {
            replicas.put(pool, cluster.getStatus().pool(pool).getDesiredReplicas());
        }
        return replicas;
    }
}
