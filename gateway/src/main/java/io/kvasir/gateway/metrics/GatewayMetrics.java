package io.kvasir.gateway.metrics;

import io.kvasir.gateway.backend.GenerationBackend;
import io.kvasir.gateway.routing.PrefixIndex;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;

/**
 * The gateway's Prometheus series, named as ARCHITECTURE §7 and the operator's autoscaler expect
 * ({@code kvasir_time_to_first_token_seconds}, {@code kvasir_requests_running}, …).
 */
@ApplicationScoped
public class GatewayMetrics {

    private final Timer timeToFirstToken;
    private final Timer interTokenLatency;
    private final Timer endToEnd;
    private final Counter promptTokens;
    private final Counter generationTokens;
    private final Counter rejected;

    public GatewayMetrics(MeterRegistry registry, GenerationBackend backend, PrefixIndex prefixes) {
        timeToFirstToken = latency(registry, "kvasir.time.to.first.token", "Time from request arrival to its first token");
        interTokenLatency = latency(registry, "kvasir.inter.token.latency", "Time between consecutive tokens of a choice");
        endToEnd = latency(registry, "kvasir.e2e.request.latency", "Time from request arrival to its last token");
        promptTokens = Counter.builder("kvasir.prompt.tokens").description("Prompt tokens admitted").register(registry);
        generationTokens = Counter.builder("kvasir.generation.tokens").description("Tokens generated").register(registry);
        rejected = Counter.builder("kvasir.requests.rejected").description("Requests refused with 429").register(registry);
        Gauge.builder("kvasir.requests.running", backend, b -> b.load().running())
                .description("Sequences being generated").register(registry);
        Gauge.builder("kvasir.requests.waiting", backend, b -> b.load().waiting())
                .description("Sequences waiting for a slot").register(registry);
        Gauge.builder("kvasir.kv.usage.ratio", backend, b -> b.load().kvUsageRatio())
                .description("Used fraction of the KV cache").register(registry);
        Gauge.builder("kvasir.prefix.index.blocks", prefixes, PrefixIndex::size)
                .description("Prompt blocks the KV store holds, as the gateway's prefix index knows them").register(registry);
    }

    private static Timer latency(MeterRegistry registry, String name, String description) {
        return Timer.builder(name).description(description).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(120))
                .register(registry);
    }

    public void firstToken(long nanos) {
        timeToFirstToken.record(Duration.ofNanos(nanos));
    }

    public void interToken(long nanos) {
        interTokenLatency.record(Duration.ofNanos(nanos));
    }

    public void finished(long nanos) {
        endToEnd.record(Duration.ofNanos(nanos));
    }

    public void promptTokens(int n) {
        promptTokens.increment(n);
    }

    public void generatedToken() {
        generationTokens.increment();
    }

    public void rejected() {
        rejected.increment();
    }
}
