package io.kvasir.operator.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.kvasir.operator.api.KvasirCluster;
import io.kvasir.operator.api.Pool;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Everything one KvasirCluster should own, derived from its spec and the replica counts decided for it. */
final class DesiredResources {
    private DesiredResources() {
    }

    /**
     * @param replicas the replica count of each Deployment pool (gateway, prefill, decode), as decided by the
     *                 spec or the autoscaler
     */
    static List<HasMetadata> of(KvasirCluster cluster, Map<Pool, Integer> replicas) {
        ConfigMap config = WorkerConfig.build(cluster);
        String configHash = hash(new TreeMap<>(config.getData()).toString());
        var resources = new ArrayList<HasMetadata>();
        resources.add(config);
        for (Pool pool : List.of(Pool.GATEWAY, Pool.PREFILL, Pool.DECODE)) {
            resources.add(PoolDeployments.build(cluster, pool, replicas.get(pool), configHash));
            resources.add(PoolServices.build(cluster, pool));
        }
        resources.add(KvStoreResources.headlessService(cluster));
        resources.add(KvStoreResources.statefulSet(cluster, configHash));
        for (Pool pool : Pool.values()) {
            resources.add(DisruptionBudgets.build(cluster, pool));
        }
        // A controller reference, so other controllers leave these alone and the garbage collector removes them with
        // the cluster. blockOwnerDeletion stays unset: setting it needs update on kvasirclusters/finalizers.
        var owner = new OwnerReferenceBuilder()
                .withApiVersion(cluster.getApiVersion())
                .withKind(cluster.getKind())
                .withName(cluster.getMetadata().getName())
                .withUid(cluster.getMetadata().getUid())
                .withController(true)
                .build();
        resources.forEach(resource -> resource.getMetadata().setOwnerReferences(List.of(owner)));
        return resources;
    }

    static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
