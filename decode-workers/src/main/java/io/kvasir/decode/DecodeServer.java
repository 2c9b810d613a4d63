package io.kvasir.decode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kvasir.engine.runtime.DecodeLoop;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.engine.sampling.SamplingParams;
import io.kvasir.kvstore.KvStoreClient;
import io.kvasir.kvstore.KvStoreException;
import io.kvasir.kvstore.ModelFingerprint;
import io.kvasir.kvstore.events.EventBus;
import io.kvasir.kvstore.events.LoadReporter;
import io.kvasir.kvstore.events.UsageRecord;
import io.kvasir.kvstore.events.WorkerLoad;
import io.kvasir.kvstore.handoff.Handoff;
import io.kvasir.kvstore.handoff.WorkerArgs;
import io.kvasir.kvstore.handoff.WorkerEngine;
import io.kvasir.kvstore.handoff.WorkerHttp;
import io.kvasir.kvstore.handoff.WorkerJson;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * The decode worker: {@code POST /internal/v1/decode} {@code {"handoff":{…}, "max_tokens", …sampling}} → an SSE
 * stream of {@code {"token","text","logprob","top_logprobs"}} events, then {@code {"finish_reason","usage"}} and
 * {@code [DONE]}; {@code GET /health}; {@code GET /metrics}. Options: {@code --model DIR --port N --members h:p,…
 * [--kv bf16|f32] [--max-batch 64] [--queue 64]}.
 */
public final class DecodeServer {

    public static final String READY = "decode worker ready";

    private final DecodeService service;
    private final DecodeLoop loop;
    private final InferenceEngine engine;
    private final Semaphore streams;
    private final EventBus bus;
    private volatile String name = "decode";

    DecodeServer(DecodeService service, DecodeLoop loop, InferenceEngine engine, int maxStreams, EventBus bus) {
        this.service = service;
        this.loop = loop;
        this.engine = engine;
        this.streams = new Semaphore(maxStreams);
        this.bus = bus;
    }

    public static void main(String[] args) throws Exception {
        WorkerArgs a = new WorkerArgs(args);
        InferenceEngine engine = WorkerEngine.open(a);
        KvStoreClient store = KvStoreClient.connect(a.text("--cluster", "kvasir"), a.list("--members", "127.0.0.1:5701"));
        String model = ModelFingerprint.of(Path.of(a.text("--model", null)), WorkerEngine.precision(a));
        int maxBatch = a.integer("--max-batch", 64);
        int queue = a.integer("--queue", 64);
        StorePreemption preemption = new StorePreemption(engine, store, model);
        DecodeLoop loop = new DecodeLoop(engine, maxBatch, queue, preemption);
        EventBus bus = store.eventBus();
        DecodeServer server = new DecodeServer(new DecodeService(engine, store, loop, model, preemption), loop, engine,
                maxBatch + queue, bus);
        int port = server.start(a.integer("--port", 8201));
        server.name = "decode@127.0.0.1:" + port;
        long[] last = {0, System.nanoTime()};
        new LoadReporter(bus, () -> {
            long tokens = loop.sequenceSteps(), now = System.nanoTime();
            double rate = (tokens - last[0]) / ((now - last[1]) / 1e9);
            last[0] = tokens;
            last[1] = now;
            int free = engine.cache().pool().freeBlocks();
            return new WorkerLoad(server.name, "decode", loop.waitingSequences(), loop.activeSequences(),
                    engine.cache().pool().capacity() - free, free, rate, System.currentTimeMillis());
        }, 1000);
        System.out.println(READY + " on 127.0.0.1:" + port);
        System.out.flush();
    }

    int start(int port) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.createContext("/internal/v1/decode", this::decode);
        http.createContext("/health", ex -> WorkerHttp.text(ex, 200, "ok\n"));
        http.createContext("/metrics", this::metrics);
        http.start();
        return http.getAddress().getPort();
    }

    private void decode(HttpExchange ex) throws IOException {
        if (!ex.getRequestMethod().equals("POST")) {
            WorkerHttp.error(ex, 405, "use POST");
            return;
        }
        if (!streams.tryAcquire()) {
            WorkerHttp.error(ex, 429, "decode worker is at capacity");
            return;
        }
        try {
            SseStream stream;
            Sequence sequence;
            Handoff handoff;
            try {
                JsonNode body = WorkerHttp.body(ex);
                if (!body.has("handoff") || !body.get("handoff").isObject()) {
                    throw new IllegalArgumentException("'handoff' must be an object");
                }
                handoff = parseHandoff(body.get("handoff"));
                SamplingParams params = WorkerJson.sampling(body);
                stream = new SseStream(params.maxTokens() + 4);
                sequence = service.admit(handoff, params, stream);
            } catch (IllegalArgumentException e) {
                WorkerHttp.error(ex, 400, e.getMessage());
                return;
            } catch (UnknownBlockException e) {
                WorkerHttp.error(ex, 404, e.getMessage());
                return;
            } catch (KvStoreException e) {
                WorkerHttp.error(ex, 503, e.getMessage());
                return;
            }
            if (sequence == null) {
                WorkerHttp.error(ex, 429, "decode queue is full");
                return;
            }
            relay(ex, stream, sequence);
            if (sequence.isFinished()) {
                bus.publish(new UsageRecord(handoff.requestId(), name, sequence.promptLength(), handoff.cachedTokens(),
                        sequence.generated().length, System.currentTimeMillis()));
            }
        } finally {
            streams.release();
        }
    }

    private static Handoff parseHandoff(JsonNode node) {
        try {
            return WorkerJson.MAPPER.treeToValue(node, Handoff.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed handoff: " + e.getMessage());
        }
    }

    /** Writes the sequence's events as they come; a client that goes away cancels the sequence. */
    private void relay(HttpExchange ex, SseStream stream, Sequence sequence) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            while (true) {
                ObjectNode event = stream.next();
                out.write(("data: " + WorkerJson.MAPPER.writeValueAsString(event) + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                if (event.has("finish_reason") || event.has("error")) {
                    break;
                }
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            loop.cancel(sequence);
        } catch (InterruptedException e) {
            loop.cancel(sequence);
            Thread.currentThread().interrupt();
        }
    }

    private void metrics(HttpExchange ex) throws IOException {
        WorkerHttp.text(ex, 200, """
                # TYPE kvasir_decode_iterations_total counter
                kvasir_decode_iterations_total %d
                # TYPE kvasir_decode_forwards_total counter
                kvasir_decode_forwards_total %d
                # TYPE kvasir_generation_tokens_total counter
                kvasir_generation_tokens_total %d
                # TYPE kvasir_running_requests gauge
                kvasir_running_requests %d
                # TYPE kvasir_waiting_requests gauge
                kvasir_waiting_requests %d
                # TYPE kvasir_kv_blocks_free gauge
                kvasir_kv_blocks_free %d
                # TYPE kvasir_kv_records_pulled_total counter
                kvasir_kv_records_pulled_total %d
                # TYPE kvasir_preemptions_total counter
                kvasir_preemptions_total %d
                # TYPE kvasir_expert_cache_hits_total counter
                kvasir_expert_cache_hits_total %d
                # TYPE kvasir_expert_cache_misses_total counter
                kvasir_expert_cache_misses_total %d
                """.formatted(loop.iterations(), engine.decodeForwards(), loop.sequenceSteps(), loop.activeSequences(),
                loop.waitingSequences(), engine.cache().pool().freeBlocks(), service.pulledRecords(), loop.preemptions(),
                engine.expertCacheHits(), engine.expertCacheMisses()));
    }
}
