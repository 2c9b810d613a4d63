package io.kvasir.operator.reconciler;

import io.kvasir.operator.api.KvasirCluster;
import io.kvasir.operator.api.Pool;
import java.util.LinkedHashMap;
import java.util.Map;

/** Names and labels of everything the operator owns, so every part of it agrees on them. */
public final class Names {
    public static final String MANAGED_BY = "kvasir-operator";
    public static final String MANAGED_BY_SELECTOR = "app.kubernetes.io/managed-by=" + MANAGED_BY;
    /** Worker Services select on it; draining pods drop out of DNS while their Deployment still owns them. */
    public static final String SERVING = "kvasir.io/serving";
    static final String CONFIG_HASH = "kvasir.io/config-hash";

    private Names() {
    }

    public static String workload(KvasirCluster cluster, Pool pool) {
        return cluster.getMetadata().getName() + "-" + pool.component();
    }

    static String config(KvasirCluster cluster) {
        return cluster.getMetadata().getName() + "-config";
    }

    /** The kv-store's headless Service: Hazelcast's Kubernetes discovery resolves members through its DNS name. */
    static String kvStoreDns(KvasirCluster cluster) {
        return workload(cluster, Pool.KV_STORE) + "." + cluster.getMetadata().getNamespace() + ".svc.cluster.local";
    }

    static String kvStoreClusterName(KvasirCluster cluster) {
        return cluster.getMetadata().getName() + "-kv";
    }

    /** Labels that select one pool's pods; they never change, so Deployments' immutable selectors stay valid. */
    public static Map<String, String> selector(KvasirCluster cluster, Pool pool) {
        var labels = new LinkedHashMap<String, String>();
        labels.put("app.kubernetes.io/name", "kvasir");
        labels.put("app.kubernetes.io/instance", cluster.getMetadata().getName());
        labels.put("app.kubernetes.io/component", pool.component());
        return labels;
    }

    static Map<String, String> labels(KvasirCluster cluster, Pool pool) {
        var labels = selector(cluster, pool);
        labels.put("app.kubernetes.io/managed-by", MANAGED_BY);
        return labels;
    }

    /** Labels of a pool's pod template: the selector, plus the serving mark the worker Services select on. */
    static Map<String, String> podLabels(KvasirCluster cluster, Pool pool) {
        var labels = labels(cluster, pool);
        labels.put(SERVING, "true");
        return labels;
    }

    static Map<String, String> serviceSelector(KvasirCluster cluster, Pool pool) {
        var labels = selector(cluster, pool);
        labels.put(SERVING, "true");
        return labels;
    }

    static Map<String, String> clusterLabels(KvasirCluster cluster) {
        var labels = new LinkedHashMap<String, String>();
        labels.put("app.kubernetes.io/name", "kvasir");
        labels.put("app.kubernetes.io/instance", cluster.getMetadata().getName());
        labels.put("app.kubernetes.io/managed-by", MANAGED_BY);
        return labels;
    }
}
