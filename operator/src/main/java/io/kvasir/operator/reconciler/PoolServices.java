package io.kvasir.operator.reconciler;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.kvasir.operator.api.KvasirCluster;
import io.kvasir.operator.api.Pool;

/**
 * Services of the HTTP pools. Clients reach gateways through one virtual IP; the gateway routes each request to a
 * chosen worker, so the worker Services are headless and resolve to every worker pod.
 */
final class PoolServices {
    static final int GATEWAY_SERVICE_PORT = 80;

    private PoolServices() {
    }

    static Service build(KvasirCluster cluster, Pool pool) {
        boolean gateway = pool == Pool.GATEWAY;
        return new ServiceBuilder()
                .withNewMetadata()
                .withName(Names.workload(cluster, pool))
                .withNamespace(cluster.getMetadata().getNamespace())
                .withLabels(Names.labels(cluster, pool))
                .endMetadata()
                .withNewSpec()
                .withClusterIP(gateway ? null : "None")
                .withSelector(Names.serviceSelector(cluster, pool))
                .addNewPort()
                .withName("http")
                .withPort(gateway ? GATEWAY_SERVICE_PORT : WorkerConfig.HTTP_PORT)
                .withTargetPort(new IntOrString("http"))
                .endPort()
                .endSpec()
                .build();
    }
}
