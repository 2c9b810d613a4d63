package io.kvasir.operator.autoscaler;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.OptionalInt;

/** Requests a worker pod is still serving; empty when the pod cannot be asked. */
public interface PodLoadProbe {
    OptionalInt activeRequests(Pod pod);
}
