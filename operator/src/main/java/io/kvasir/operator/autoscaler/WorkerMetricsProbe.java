package io.kvasir.operator.autoscaler;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.OptionalInt;

/** A worker's in-flight requests, read as {@code kvasir_requests_running} from its own {@code /q/metrics}. */
public final class WorkerMetricsProbe implements PodLoadProbe {
    private final MetricsEndpoint endpoint = new MetricsEndpoint();

    @Override
    public OptionalInt activeRequests(Pod pod) {
        return endpoint.fetch(pod)
                .map(text -> PrometheusText.value(text, PrometheusText.RUNNING))
                .filter(v -> v.isPresent())
                .map(v -> OptionalInt.of((int) Math.ceil(v.getAsDouble())))
                .orElse(OptionalInt.empty());
    }
}
