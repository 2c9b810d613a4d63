package io.kvasir.operator.api;

import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One Kvasir deployment: gateways, prefill and decode pools, a kv-store and an event bus. */
@Group(KvasirCluster.GROUP)
@Version(KvasirCluster.VERSION)
@ShortNames("kvc")
public class KvasirCluster extends CustomResource<KvasirClusterSpec, KvasirClusterStatus> implements Namespaced {
    public static final String GROUP = "kvasir.io";
    public static final String VERSION = "v1alpha1";

    @Override
    protected KvasirClusterStatus initStatus() {
        return new KvasirClusterStatus();
    }
}
