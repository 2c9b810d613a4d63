package io.kvasir.prefill;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.kvstore.events.EventBus;
import io.kvasir.kvstore.KvStoreException;
import io.kvasir.kvstore.events.LoadReporter;
import io.kvasir.kvstore.events.WorkerLoad;
import io.kvasir.kvstore.handoff.WorkerJson;
import io.kvasir.worker.Replies;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code POST /internal/v1/prefill} {@code {"request_id","model"?,"token_ids",…sampling}} → the handoff, on Quarkus'
 * Vert.x router. At most {@code kvasir.prefill.queue} requests wait or run; more are refused at once with 429 and
 * {@code Retry-After}, before their body is read. Also reports this worker's load on the event bus every second.
 */
@ApplicationScoped
public class PrefillRoutes {

    static final String PATH = "/internal/v1/prefill";

    private final PrefillService service;
    private final InferenceEngine engine;
    private final EventBus bus;
    private final int capacity;
    private final Semaphore admitted;
    private final String name;
    private LoadReporter reporter;

    public PrefillRoutes(PrefillService service, InferenceEngine engine, EventBus bus,
                         @ConfigProperty(name = "kvasir.prefill.queue", defaultValue = "16") int capacity,
                         @ConfigProperty(name = "kvasir.worker.address") String address) {
        this.service = service;
        this.engine = engine;
        this.bus = bus;
        this.capacity = capacity;
        this.admitted = new Semaphore(capacity);
        this.name = "prefill@" + address;
    }

    void register(@Observes Router router) {
        router.post(PATH).order(-50).handler(this::admit);
        router.post(PATH).handler(BodyHandler.create(false).setBodyLimit(WorkerJson.MAX_BODY))
                .failureHandler(Replies::bodyFailure)
                .blockingHandler(this::prefill, false);
        router.route(PATH).order(10_000).handler(ctx -> Replies.error(ctx.response(), 405, "use POST on " + PATH));
        long[] last = {0, System.nanoTime()};
        reporter = new LoadReporter(bus, () -> {
            long tokens = service.computedTokens(), now = System.nanoTime();
            double rate = (tokens - last[0]) / ((now - last[1]) / 1e9);
            last[0] = tokens;
            last[1] = now;
            int free = engine.cache().pool().freeBlocks();
            return new WorkerLoad(name, "prefill", admittedRequests(), 0, engine.cache().pool().capacity() - free, free,
                    rate, System.currentTimeMillis());
        }, 1000);
    }

    @PreDestroy
    void stopReports() {
        if (reporter != null) {
            reporter.close();
        }
    }

    /** Requests admitted and not yet answered: waiting for the engine or being prefilled. */
    int admittedRequests() {
        return capacity - admitted.availablePermits();
    }

    private void admit(RoutingContext ctx) {
        if (!admitted.tryAcquire()) {
            Replies.error(ctx.response(), 429, "prefill queue is full (" + capacity + " requests)");
            return;
        }
        // Whether the request is answered, fails or its client goes away, its place is given back once.
        AtomicBoolean released = new AtomicBoolean();
        ctx.addEndHandler(v -> {
            if (released.compareAndSet(false, true)) {
                admitted.release();
            }
        });
        ctx.next();
    }

    private void prefill(RoutingContext ctx) {
        try {
            JsonNode body = WorkerJson.object(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
            String requestId = WorkerJson.text(body, "request_id");
            if (body.has("model") && !body.get("model").asText().equals(service.model())) {
                Replies.error(ctx.response(), 404, "this worker serves model " + service.model() + ", not "
                        + body.get("model").asText());
                return;
            }
            int[] tokens = WorkerJson.tokenIds(body, "token_ids");
            Replies.json(ctx.response(), service.prefill(requestId, tokens, WorkerJson.sampling(body)));
        } catch (IllegalArgumentException e) {
            Replies.error(ctx.response(), 400, e.getMessage());
        } catch (KvStoreException e) {
            Replies.error(ctx.response(), 503, e.getMessage());
        }
    }
}
