package io.kvasir.operator.autoscaler;

import io.kvasir.operator.api.KvasirCluster;
import java.util.Optional;

/** Where the autoscaler reads a cluster's load; empty when no gateway could be read this time. */
public interface LoadSource {
    Optional<LoadSample> sample(KvasirCluster cluster);
}
