package io.kvasir.prefill;

import io.kvasir.engine.kv.BlockPool;
import io.kvasir.engine.runtime.InferenceEngine;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;

/**
 * The prefill worker's Prometheus series on {@code /q/metrics}, in ARCHITECTURE §7's names: requests running and
 * waiting, prompt tokens, prefix-cache hits and queries (in tokens, as vLLM counts them), KV usage; and the worker's
 * own: prompt tokens computed rather than reused, block records written to the store.
 */
@Startup
@Singleton
public class PrefillMetrics {

    public PrefillMetrics(MeterRegistry registry, PrefillService service, InferenceEngine engine, PrefillRoutes routes) {
        FunctionCounter.builder("kvasir.prefill.requests", service, PrefillService::requests)
                .description("Prompts prefilled").register(registry);
        FunctionCounter.builder("kvasir.prompt.tokens", service, s -> s.computedTokens() + s.cachedTokens())
                .description("Prompt tokens of prefilled requests").register(registry);
        FunctionCounter.builder("kvasir.prompt.tokens.computed", service, PrefillService::computedTokens)
                .description("Prompt tokens run through the model").register(registry);
        FunctionCounter.builder("kvasir.prefix.cache.queries", service, s -> s.computedTokens() + s.cachedTokens())
                .description("Prompt tokens looked up in the prefix cache").register(registry);
        FunctionCounter.builder("kvasir.prefix.cache.hits", service, PrefillService::cachedTokens)
                .description("Prompt tokens whose KV came from the store").register(registry);
        FunctionCounter.builder("kvasir.kv.records.stored", service, PrefillService::storedBlocks)
                .description("KV block records (one layer of one block) written to the store").register(registry);
        Gauge.builder("kvasir.requests.running", service, PrefillService::running)
                .description("Requests being prefilled").register(registry);
        Gauge.builder("kvasir.requests.waiting", routes, r -> Math.max(0, r.admittedRequests() - service.running()))
                .description("Requests admitted and waiting for the engine").register(registry);
        BlockPool pool = engine.cache().pool();
        Gauge.builder("kvasir.kv.usage.ratio", pool, p -> 1.0 - (double) p.freeBlocks() / p.capacity())
                .description("Used fraction of the KV cache").register(registry);
    }
}
