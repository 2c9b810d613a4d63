package io.kvasir.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One Kvasir deployment: gateways, prefill and decode pools, a kv-store and an event bus. */
@Group(KvasirCluster.GROUP)
@Version(KvasirCluster.VERSION)
@ShortNames("kvc")
@AdditionalPrinterColumn(name = "Ready", type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(name = "Prefill", type = AdditionalPrinterColumn.Type.INTEGER,
        jsonPath = ".status.pools.prefill.desiredReplicas")
@AdditionalPrinterColumn(name = "Decode", type = AdditionalPrinterColumn.Type.INTEGER,
        jsonPath = ".status.pools.decode.desiredReplicas")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE, jsonPath = ".metadata.creationTimestamp")
public class KvasirCluster extends CustomResource<KvasirClusterSpec, KvasirClusterStatus> implements Namespaced {
    public static final String GROUP = "kvasir.io";
    public static final String VERSION = "v1alpha1";

    @Override
    protected KvasirClusterStatus initStatus() {
        return new KvasirClusterStatus();
    }
}
