package io.kvasir.operator.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.util.Iterator;
import java.util.Map;

/**
 * Create-or-update without server-side apply. An object is written only when the live one differs from the desired
 * one in a field the operator sets; fields the API server or other controllers add are ignored. So a pass that
 * changes nothing writes nothing (no write wakes the informers into another pass), while a manual edit of an owned
 * object is reverted on the next pass.
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
        T live = client.resource(desired).get();
        if (live == null) {
            return new Applied<>(client.resource(desired).createOr(NonDeletingOperation::update), Outcome.CREATED);
        }
        if (covers(tree(live), tree(desired))) {
            return new Applied<>(live, Outcome.UNCHANGED);
        }
        desired.getMetadata().setResourceVersion(live.getMetadata().getResourceVersion());
        return new Applied<>(client.resource(desired).update(), Outcome.UPDATED);
    }

    private JsonNode tree(Object object) {
        return client.getKubernetesSerialization().convertValue(object, JsonNode.class);
    }

    /** Whether every field set in {@code desired} has the same value in {@code live}; arrays must match whole. */
    static boolean covers(JsonNode live, JsonNode desired) {
        if (desired.isObject()) {
            if (!live.isObject()) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = desired.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                JsonNode liveField = live.get(field.getKey());
                if (liveField == null || !covers(liveField, field.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (desired.isArray()) {
            if (!live.isArray() || live.size() != desired.size()) {
                return false;
            }
            for (int i = 0; i < desired.size(); i++) {
                if (!covers(live.get(i), desired.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (desired.isNumber() && live.isNumber()) {
            return desired.decimalValue().compareTo(live.decimalValue()) == 0;
        }
        return desired.equals(live);
    }
}
