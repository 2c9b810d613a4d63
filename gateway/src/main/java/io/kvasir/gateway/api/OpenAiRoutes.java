package io.kvasir.gateway.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.sampling.SamplingParams;
import io.kvasir.gateway.admission.AdmissionControl;
import io.kvasir.gateway.backend.GenerationBackend;
import io.kvasir.gateway.metrics.GatewayMetrics;
import io.kvasir.gateway.model.ServedModel;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The OpenAI-compatible HTTP API on Quarkus' Vert.x router: {@code GET /v1/models}, {@code POST /v1/chat/completions}
 * and {@code POST /v1/completions}. Plain Vert.x routes rather than JAX-RS so that one handler can answer either a
 * JSON body or a server-sent-event stream, set any status before the first byte, shape every error (the body-size
 * limit's 413 included) as OpenAI does, and see the client disconnect.
 */
@ApplicationScoped
public class OpenAiRoutes {

    private static final System.Logger LOG = System.getLogger(OpenAiRoutes.class.getName());
    /** Requests read and tokenized at once; a few per core keeps tokenization from queueing without bound. */
    private static final int MAX_PREPARING = 64;
    private static final String PREPARING = "kvasir.preparing";

    private final ServedModel model;
    private final GenerationBackend backend;
    private final AdmissionControl admission;
    private final GatewayMetrics metrics;
    private final ApiKeys apiKeys;
    private final UsageReporter usage;
    private final PromptTokenizer tokenizer;
    private final long maxBodyBytes;
    private final long startedAt = System.currentTimeMillis() / 1000;
    private final AtomicInteger preparing = new AtomicInteger();

    public OpenAiRoutes(ServedModel model, GenerationBackend backend, AdmissionControl admission, GatewayMetrics metrics,
                        ApiKeys apiKeys, UsageReporter usage, @ConfigProperty(name = "kvasir.max-body-bytes", defaultValue = "8388608") long maxBodyBytes) {
        this.model = model;
        this.backend = backend;
        this.admission = admission;
        this.metrics = metrics;
        this.apiKeys = apiKeys;
        this.usage = usage;
        this.tokenizer = new PromptTokenizer(model);
        this.maxBodyBytes = maxBodyBytes;
    }

    void register(@Observes Router router) {
        router.route("/v1/*").order(-100).handler(this::authorize);
        router.get("/v1/models").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
                .end(modelList()));
        router.get("/v1/models/:id").handler(ctx -> {
            if (!ctx.pathParam("id").equals(model.id())) {
                ErrorJson.send(ctx.response(), OpenAiException.unknownModel(ctx.pathParam("id")));
                return;
            }
            ctx.response().putHeader("Content-Type", "application/json").end(modelCard().toString());
        });
        BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
        // A route of its own: Vert.x wants a body handler first on its route.
        router.post().pathRegex("/v1/(chat/)?completions").order(-50).handler(this::enterPreparation);
        router.post("/v1/chat/completions").handler(body).failureHandler(this::bodyFailure)
                .blockingHandler(ctx -> generate(ctx, ParsedRequest.Endpoint.CHAT), false);
        router.post("/v1/completions").handler(body).failureHandler(this::bodyFailure)
                .blockingHandler(ctx -> generate(ctx, ParsedRequest.Endpoint.COMPLETIONS), false);
        router.route("/v1/*").order(10_000).handler(ctx -> {
            String path = ctx.request().path();
            boolean known = path.equals("/v1/models") || path.startsWith("/v1/models/")
                    || path.equals("/v1/chat/completions") || path.equals("/v1/completions");
            ErrorJson.send(ctx.response(), known
                    ? OpenAiException.methodNotAllowed(ctx.request().method() + " is not allowed on " + path)
                    : OpenAiException.notFound("no such endpoint: " + path));
        });
    }

    private void authorize(RoutingContext ctx) {
        try {
            apiKeys.check(ctx.request().getHeader("Authorization"));
            ctx.next();
        } catch (OpenAiException e) {
            ErrorJson.send(ctx.response(), e);
        }
    }

    /**
     * Bounds the requests being read, parsed and tokenized (work done before admission, on Vert.x's worker pool,
     * whose own queue has no bound): past the bound a request is refused at once with 429.
     */
    private void enterPreparation(RoutingContext ctx) {
        if (preparing.incrementAndGet() > MAX_PREPARING) {
            preparing.decrementAndGet();
            metrics.rejected();
            ErrorJson.send(ctx.response(), OpenAiException.overloaded("too many requests are being read; retry shortly", 1));
            return;
        }
        ctx.put(PREPARING, Boolean.TRUE);
        // Covers a connection that closes before the request is read; leaving twice is harmless.
        ctx.addEndHandler(v -> leavePreparation(ctx));
        ctx.next();
    }

    private void leavePreparation(RoutingContext ctx) {
        if (ctx.remove(PREPARING) != null) {
            preparing.decrementAndGet();
        }
    }

    private void bodyFailure(RoutingContext ctx) {
        leavePreparation(ctx);
        OpenAiException e = ctx.statusCode() == 413 ? OpenAiException.bodyTooLarge(maxBodyBytes)
                : ctx.statusCode() >= 400 && ctx.statusCode() < 500
                ? OpenAiException.invalid(null, "the request could not be read")
                : OpenAiException.internal("the request failed: " + (ctx.failure() == null ? "" : ctx.failure().getMessage()));
        if (e.status() == 500) {
            LOG.log(System.Logger.Level.ERROR, "request failed", ctx.failure());
        }
        ErrorJson.send(ctx.response(), e);
    }

    private void generate(RoutingContext ctx, ParsedRequest.Endpoint endpoint) {
        HttpServerResponse response = ctx.response();
        try {
            ObjectNode body = jsonObject(ctx.body().buffer());
            ParsedRequest request = endpoint == ParsedRequest.Endpoint.CHAT
                    ? ChatRequestParser.parse(body, model.chatTemplate())
                    : CompletionRequestParser.parse(body);
            if (!request.model().equals(model.id())) {
                throw OpenAiException.unknownModel(request.model());
            }
            List<int[]> prompts = new ArrayList<>();
            List<String> echoes = new ArrayList<>();
            List<SamplingParams> params = new ArrayList<>();
            for (ParsedRequest.Prompt p : request.prompts()) {
                int[] ids = tokenizer.tokens(p);
                prompts.add(ids);
                echoes.add(request.echo() ? tokenizer.text(p) : "");
                params.add(request.params().toBuilder().maxTokens(tokenizer.maxTokens(request, ids.length)).build());
            }
            int sequences = prompts.size() * request.n();
            admission.acquire(sequences);
            metrics.promptTokens(prompts.stream().mapToInt(p -> p.length).sum());
            String id = (endpoint == ParsedRequest.Endpoint.CHAT ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
            RequestRun run = new RequestRun(request, id, prompts, echoes, params,
                    new ResponseJson(model, request, id, System.currentTimeMillis() / 1000), new ResponseSink(response),
                    metrics, outcome -> {
                        admission.release(sequences);
                        usage.record(outcome);
                    });
            response.closeHandler(v -> run.clientGone());
            run.start(backend);
        } catch (OpenAiException e) {
            if (e.status() == 429) {
                metrics.rejected();
            }
            ErrorJson.send(response, e);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "request failed", e);
            ErrorJson.send(response, OpenAiException.internal("internal error: " + e.getMessage()));
        } finally {
            leavePreparation(ctx);
        }
    }

    private static ObjectNode jsonObject(Buffer buffer) {
        if (buffer == null || buffer.length() == 0) {
            throw OpenAiException.invalid(null, "the request body is empty; send a JSON object");
        }
        JsonNode node;
        try {
            node = ResponseJson.MAPPER.readTree(buffer.getBytes());
        } catch (JacksonException e) {
            throw OpenAiException.invalid(null, "the request body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw OpenAiException.invalid(null, "the request body could not be read: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw OpenAiException.invalid(null, "the request body must be a JSON object");
        }
        return (ObjectNode) node;
    }

    private String modelList() {
        ObjectNode list = ResponseJson.MAPPER.createObjectNode();
        list.put("object", "list");
        list.putArray("data").add(modelCard());
        return list.toString();
    }

    private ObjectNode modelCard() {
        ObjectNode card = ResponseJson.MAPPER.createObjectNode();
        card.put("id", model.id());
        card.put("object", "model");
        card.put("created", startedAt);
        card.put("owned_by", "kvasir");
        card.put("max_model_len", model.contextLength());
        return card;
    }
}
