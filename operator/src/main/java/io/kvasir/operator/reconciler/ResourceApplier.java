package io.kvasir.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.LinkedHashMap;

/**
 * Create-or-update without server-side apply. Each desired object carries a hash of itself; an object whose hash
 * already matches is left alone, so a reconciliation that changes nothing writes nothing, and no write wakes the
 * informers into another pass.
 */
final class ResourceApplier {
    enum Outcome { CREATED, UPDATED, UNCHANGED }

    record Applied<T extends HasMetadata>(T live, Outcome outcome) {
    }

    private final KubernetesClient client;

    ResourceApplier(KubernetesClient client) {
        this.client = client;
    }

    <T extends HasMetadata> Applied<T> apply(T desired) {
        String hash = DesiredResources.hash(Serialization.asJson(desired));
        var annotations = new LinkedHashMap<String, String>();
        if (desired.getMetadata().getAnnotations() != null) {
            annotations.putAll(desired.getMetadata().getAnnotations());
        }
        annotations.put(Names.APPLIED_HASH, hash);
        desired.getMetadata().setAnnotations(annotations);
        T live = client.resource(desired).get();
        if (live == null) {
            return new Applied<>(client.resource(desired).createOr(NonDeletingOperation::update), Outcome.CREATED);
        }
        var liveAnnotations = live.getMetadata().getAnnotations();
        if (liveAnnotations != null && hash.equals(liveAnnotations.get(Names.APPLIED_HASH))) {
            return new Applied<>(live, Outcome.UNCHANGED);
        }
        desired.getMetadata().setResourceVersion(live.getMetadata().getResourceVersion());
        return new Applied<>(client.resource(desired).update(), Outcome.UPDATED);
    }
}
