package io.kvasir.prefill;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.kvstore.KvStoreClient;
import io.kvasir.kvstore.KvStoreException;
import io.kvasir.kvstore.ModelFingerprint;
import io.kvasir.kvstore.events.EventBus;
import io.kvasir.kvstore.events.EventBuses;
import io.kvasir.kvstore.events.LoadReporter;
import io.kvasir.kvstore.events.WorkerLoad;
import io.kvasir.kvstore.handoff.WorkerArgs;
import io.kvasir.kvstore.handoff.WorkerEngine;
import io.kvasir.kvstore.handoff.WorkerHttp;
import io.kvasir.kvstore.handoff.WorkerJson;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * The prefill worker: {@code POST /internal/v1/prefill} {@code {"request_id","model","token_ids",...sampling}} →
 * the handoff; {@code GET /health}; {@code GET /metrics}. At most {@code --queue} requests wait or run; more get 429.
 * Options: {@code --model DIR --port N --members h:p,h:p [--cluster kvasir] [--kv bf16|f32] [--queue 16]
 * [--kafka host:port,…]} (events on Kafka instead of the store's topics).
 */
public final class PrefillServer {

    public static final String READY = "prefill worker ready";

    private final PrefillService service;
    final Semaphore admitted;

    PrefillServer(PrefillService service, int queue) {
        this.service = service;
        this.admitted = new Semaphore(queue);
    }

    public static void main(String[] args) throws Exception {
        WorkerArgs a = new WorkerArgs(args);
        InferenceEngine engine = WorkerEngine.open(a);
        KvStoreClient store = KvStoreClient.connect(a.text("--cluster", "kvasir"), a.list("--members", "127.0.0.1:5701"));
        String model = ModelFingerprint.of(Path.of(a.text("--model", null)), WorkerEngine.precision(a));
        int queue = a.integer("--queue", 16);
        EventBus bus = EventBuses.choose(a.text("--kafka", ""), (short) 1, store::eventBus);
        PrefillService service = new PrefillService(engine, store, model, bus, Clock.systemUTC());
        PrefillServer server = new PrefillServer(service, queue);
        int port = server.start(a.integer("--port", 8101));
        String name = "prefill@127.0.0.1:" + port;
        long[] last = {0, System.nanoTime()};
        new LoadReporter(bus, () -> {
            long tokens = service.computedTokens(), now = System.nanoTime();
            double rate = (tokens - last[0]) / ((now - last[1]) / 1e9);
            last[0] = tokens;
            last[1] = now;
            int free = engine.cache().pool().freeBlocks();
            return new WorkerLoad(name, "prefill", queue - server.admitted.availablePermits(), 0,
                    engine.cache().pool().capacity() - free, free, rate, System.currentTimeMillis());
        }, 1000);
        System.out.println(READY + " on 127.0.0.1:" + port);
        System.out.flush();
    }

    int start(int port) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.createContext("/internal/v1/prefill", this::prefill);
        http.createContext("/health", ex -> WorkerHttp.text(ex, 200, "ok\n"));
        http.createContext("/metrics", this::metrics);
        http.start();
        return http.getAddress().getPort();
    }

    private void prefill(HttpExchange ex) throws IOException {
        if (!ex.getRequestMethod().equals("POST")) {
            WorkerHttp.error(ex, 405, "use POST");
            return;
        }
        if (!admitted.tryAcquire()) {
            WorkerHttp.error(ex, 429, "prefill queue is full");
            return;
        }
        try {
            JsonNode body = WorkerHttp.body(ex);
            String requestId = WorkerJson.text(body, "request_id");
            if (body.has("model") && !body.get("model").asText().equals(service.model())) {
                WorkerHttp.error(ex, 404, "this worker serves model " + service.model() + ", not " + body.get("model").asText());
                return;
            }
            int[] tokens = WorkerJson.tokenIds(body, "token_ids");
            WorkerHttp.json(ex, 200, WorkerJson.MAPPER.valueToTree(
                    service.prefill(requestId, tokens, WorkerJson.sampling(body))));
        } catch (IllegalArgumentException e) {
            WorkerHttp.error(ex, 400, e.getMessage());
        } catch (KvStoreException e) {
            WorkerHttp.error(ex, 503, e.getMessage());
        } finally {
            admitted.release();
        }
    }

    private void metrics(HttpExchange ex) throws IOException {
        WorkerHttp.text(ex, 200, """
                # TYPE kvasir_prefill_requests_total counter
                kvasir_prefill_requests_total %d
                # TYPE kvasir_prompt_tokens_computed_total counter
                kvasir_prompt_tokens_computed_total %d
                # TYPE kvasir_prefix_cache_hit_tokens_total counter
                kvasir_prefix_cache_hit_tokens_total %d
                # TYPE kvasir_kv_records_stored_total counter
                kvasir_kv_records_stored_total %d
                """.formatted(service.requests(), service.computedTokens(), service.cachedTokens(), service.storedBlocks()));
    }
}
