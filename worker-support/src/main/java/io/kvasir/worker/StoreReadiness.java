package io.kvasir.worker;

import io.kvasir.kvstore.KvStoreClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** {@code /q/health/ready}: down while the kv-store cluster is out of reach (the worker could only answer 503). */
@Readiness
@ApplicationScoped
public class StoreReadiness implements HealthCheck {

    private final KvStoreClient store;

    public StoreReadiness(KvStoreClient store) {
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("kv-store").status(store.connected()).build();
    }
}
