package io.kvasir.gateway.workers;

import io.kvasir.gateway.backend.BackendLoad;
import io.kvasir.gateway.backend.Generation;
import io.kvasir.gateway.backend.GenerationBackend;
import io.kvasir.gateway.backend.GenerationInput;
import io.kvasir.gateway.backend.GenerationListener;
import io.kvasir.gateway.routing.PrefixIndex;
import io.kvasir.kvstore.events.KvEvent;
import io.kvasir.kvstore.events.WorkerLoad;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The disaggregated backend: each choice is prefilled on one prefill worker and decoded on one decode worker,
 * each chosen by load ({@link io.kvasir.gateway.routing.RoutingChoice}), with retries on another worker while
 * nothing has reached the client yet. Each choice runs on its own virtual thread, which blocks on worker HTTP
 * calls, not on any gateway thread. Workers are a fixed list of URLs, or found through Services' DNS names.
 */
public final class WorkerBackend implements GenerationBackend, AutoCloseable {

    private static final Duration DISCOVERY_PERIOD = Duration.ofSeconds(2);

    private final WorkerPool prefill;
    private final WorkerPool decode;
    private final PrefixIndex prefixes;
    private final List<ServiceDiscovery> discoveries = new ArrayList<>();
    private final StallWatch stalls;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    /** @param decodeIdleTimeout how long a decode stream may stay silent before the request fails */
    public WorkerBackend(List<String> prefillUrls, List<String> decodeUrls, PrefixIndex prefixes, Duration decodeIdleTimeout) {
        this.prefill = new WorkerPool(prefillUrls);
        this.decode = new WorkerPool(decodeUrls);
        this.prefixes = prefixes;
        this.stalls = new StallWatch(decodeIdleTimeout);
    }

    /**
     * Finds the prefill (or decode) workers behind a headless Service from now on, instead of the fixed URLs.
     *
     * @param service {@code host[:port]}; {@code port} applies when it names none
     */
    public void discover(String role, String service, int port) {
        discoveries.add(new ServiceDiscovery(service, port, "prefill".equals(role) ? prefill : decode, DISCOVERY_PERIOD));
    }

    @Override
    public Generation submit(GenerationInput input, GenerationListener listener) {
        WorkerCall call = new WorkerCall(http, prefill, decode, input, listener, prefixes.uncachedTokens(input.promptTokens()), stalls);
        Thread.ofVirtual().name("kvasir-call-" + input.requestId()).start(call::run);
        return call::cancel;
    }

    /** A worker's load report from the event bus; reports from workers this gateway does not call are ignored. */
    public void report(WorkerLoad report) {
        WorkerPool pool = "prefill".equals(report.role()) ? prefill : decode;
        pool.report(report);
    }

    /** A KV event from the event bus: the prefix index follows what the store holds. */
    public void kvEvent(KvEvent event) {
        prefixes.accept(event);
    }

    @Override
    public BackendLoad load() {
        int running = decode.workers().stream().mapToInt(w -> w.inFlight.get()).sum();
        int waiting = prefill.workers().stream().mapToInt(w -> w.inFlight.get()).sum();
        return new BackendLoad(running, waiting, decode.kvUsageRatio());
    }

    @Override
    public void close() {
        discoveries.forEach(ServiceDiscovery::close);
        stalls.close();
    }
}
