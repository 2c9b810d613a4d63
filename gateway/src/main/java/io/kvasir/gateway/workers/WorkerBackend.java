package io.kvasir.gateway.workers;

import io.kvasir.gateway.backend.BackendLoad;
import io.kvasir.gateway.backend.Generation;
import io.kvasir.gateway.backend.GenerationBackend;
import io.kvasir.gateway.backend.GenerationInput;
import io.kvasir.gateway.backend.GenerationListener;
import io.kvasir.kvstore.events.WorkerLoad;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;

/**
 * The disaggregated backend: each choice is prefilled on one prefill worker and decoded on one decode worker,
 * each chosen by load, with retries on another worker while nothing has reached the client yet. Each choice
 * runs on its own virtual thread, which blocks on worker HTTP calls, not on any gateway thread.
 */
public final class WorkerBackend implements GenerationBackend {

    private final WorkerPool prefill;
    private final WorkerPool decode;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    public WorkerBackend(List<String> prefillUrls, List<String> decodeUrls) {
        this.prefill = new WorkerPool(prefillUrls);
        this.decode = new WorkerPool(decodeUrls);
    }

    @Override
    public Generation submit(GenerationInput input, GenerationListener listener) {
        WorkerCall call = new WorkerCall(http, prefill, decode, input, listener);
        Thread.ofVirtual().name("kvasir-call-" + input.requestId()).start(call::run);
        return call::cancel;
    }

    /** A worker's load report from the event bus; reports from workers this gateway does not call are ignored. */
    public void report(WorkerLoad report) {
        WorkerPool pool = "prefill".equals(report.role()) ? prefill : decode;
        pool.report(report);
    }

    @Override
    public BackendLoad load() {
        int running = decode.workers().stream().mapToInt(w -> w.inFlight.get()).sum();
        int waiting = prefill.workers().stream().mapToInt(w -> w.inFlight.get()).sum();
        return new BackendLoad(running, waiting, decode.kvUsageRatio());
    }
}
