package io.kvasir.operator.autoscaler;

import io.fabric8.kubernetes.api.model.Pod;
import io.kvasir.operator.api.KvasirCluster;
import io.kvasir.operator.api.Pool;
import java.time.Clock;
import java.util.Optional;

/**
 * Sums the {@code /q/metrics} of every ready gateway. Gateways see every request from arrival to last token, so
 * their view covers queueing that no single worker sees.
 */
public final class GatewayMetricsScraper implements LoadSource {
    private final PoolPods pods;
    private final Clock clock;
    private final MetricsEndpoint endpoint = new MetricsEndpoint();

    public GatewayMetricsScraper(PoolPods pods, Clock clock) {
        this.pods = pods;
        this.clock = clock;
    }

    @Override
    public Optional<LoadSample> sample(KvasirCluster cluster) {
        Optional<LoadSample> sum = Optional.empty();
        for (Pod gateway : pods.readyPods(cluster, Pool.GATEWAY)) {
            Optional<LoadSample> one = endpoint.fetch(gateway).map(text -> PrometheusText.parse(text, clock.instant()));
            if (one.isPresent()) {
                sum = Optional.of(sum.map(s -> s.plus(one.get())).orElse(one.get()));
            }
        }
        return sum;
    }
}
