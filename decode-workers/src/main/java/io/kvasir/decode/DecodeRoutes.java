package io.kvasir.decode;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvasir.engine.runtime.DecodeLoop;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.engine.sampling.SamplingParams;
import io.kvasir.kvstore.KvStoreException;
import io.kvasir.kvstore.events.EventBus;
import io.kvasir.kvstore.events.LoadReporter;
import io.kvasir.kvstore.events.UsageRecord;
import io.kvasir.kvstore.events.WorkerLoad;
import io.kvasir.kvstore.handoff.Handoff;
import io.kvasir.kvstore.handoff.WorkerJson;
import io.kvasir.worker.Replies;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code POST /internal/v1/decode} {@code {"handoff":{…}, "max_tokens", …sampling}} → a server-sent event stream
 * (see {@link SseRelay}), on Quarkus' Vert.x router. Streams are bounded by what the loop can hold (batch plus
 * queue); past that, and when the loop's queue is full, 429 with {@code Retry-After}. Also reports this worker's
 * load on the event bus every second.
 */
@ApplicationScoped
public class DecodeRoutes {

    static final String PATH = "/internal/v1/decode";
    static final String MAX_BATCH = "kvasir.decode.max-batch";
    static final String QUEUE = "kvasir.decode.queue";
    private static final String RELAY = "kvasir.relay";

    private final DecodeService service;
    private final DecodeLoop loop;
    private final InferenceEngine engine;
    private final EventBus bus;
    private final Semaphore streams;
    private final String name;
    private LoadReporter reporter;

    public DecodeRoutes(DecodeService service, DecodeLoop loop, InferenceEngine engine, EventBus bus,
                        @ConfigProperty(name = MAX_BATCH, defaultValue = "64") int maxBatch,
                        @ConfigProperty(name = QUEUE, defaultValue = "64") int queue,
                        @ConfigProperty(name = "kvasir.worker.address") String address) {
        this.service = service;
        this.loop = loop;
        this.engine = engine;
        this.bus = bus;
        this.streams = new Semaphore(maxBatch + queue);
        this.name = "decode@" + address;
    }

    void register(@Observes Router router) {
        router.post(PATH).order(-50).handler(this::open);
        router.post(PATH).handler(BodyHandler.create(false).setBodyLimit(WorkerJson.MAX_BODY))
                .failureHandler(Replies::bodyFailure)
                .blockingHandler(this::decode, false);
        router.route(PATH).order(10_000).handler(ctx -> Replies.error(ctx.response(), 405, "use POST on " + PATH));
        long[] last = {0, System.nanoTime()};
        reporter = new LoadReporter(bus, () -> {
            long tokens = loop.sequenceSteps(), now = System.nanoTime();
            double rate = (tokens - last[0]) / ((now - last[1]) / 1e9);
            last[0] = tokens;
            last[1] = now;
            int free = engine.cache().pool().freeBlocks();
            return new WorkerLoad(name, "decode", loop.waitingSequences(), loop.activeSequences(),
                    engine.cache().pool().capacity() - free, free, rate, System.currentTimeMillis());
        }, 1000);
    }

    @PreDestroy
    void stopReports() {
        if (reporter != null) {
            reporter.close();
        }
    }

    /** On the event loop: takes a stream place (or answers 429) and makes the relay that will write on this context. */
    private void open(RoutingContext ctx) {
        if (!streams.tryAcquire()) {
            Replies.error(ctx.response(), 429, "decode worker is at capacity");
            return;
        }
        AtomicBoolean released = new AtomicBoolean();
        ctx.addEndHandler(v -> {
            if (released.compareAndSet(false, true)) {
                streams.release();
            }
        });
        ctx.put(RELAY, new SseRelay(ctx.response(), Vertx.currentContext(), loop, this::reportUsage));
        ctx.next();
    }

    private void decode(RoutingContext ctx) {
        SseRelay relay = ctx.get(RELAY);
        Sequence sequence;
        try {
            JsonNode body = WorkerJson.object(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
            if (!body.has("handoff") || !body.get("handoff").isObject()) {
                throw new IllegalArgumentException("'handoff' must be an object");
            }
            Handoff handoff = parseHandoff(body.get("handoff"));
            SamplingParams params = WorkerJson.sampling(body);
            relay.handoff(handoff);
            sequence = service.admit(handoff, params, relay);
        } catch (IllegalArgumentException e) {
            Replies.error(ctx.response(), 400, e.getMessage());
            return;
        } catch (UnknownBlockException e) {
            Replies.error(ctx.response(), 404, e.getMessage());
            return;
        } catch (KvStoreException e) {
            Replies.error(ctx.response(), 503, e.getMessage());
            return;
        }
        if (sequence == null) {
            Replies.error(ctx.response(), 429, "decode queue is full");
            return;
        }
        relay.started(sequence);
    }

    private static Handoff parseHandoff(JsonNode node) {
        try {
            return WorkerJson.MAPPER.treeToValue(node, Handoff.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed handoff: " + e.getMessage());
        }
    }

    /** Off the loop thread: a bus publish is a network round trip. */
    private void reportUsage(Handoff h, Sequence s) {
        Thread.startVirtualThread(() -> {
            try {
                bus.publish(new UsageRecord(h.requestId(), name, s.promptLength(), h.cachedTokens(),
                        s.generated().length, System.currentTimeMillis()));
            } catch (RuntimeException e) {
                System.err.println("usage not published: " + e.getMessage());
            }
        });
    }
}
