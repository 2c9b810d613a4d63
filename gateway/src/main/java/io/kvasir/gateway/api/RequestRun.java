package io.kvasir.gateway.api;

import io.kvasir.engine.sampling.FinishReason;
import io.kvasir.engine.sampling.SampledToken;
import io.kvasir.engine.sampling.SamplingParams;
import io.kvasir.gateway.backend.Generation;
import io.kvasir.gateway.backend.GenerationBackend;
import io.kvasir.gateway.backend.GenerationInput;
import io.kvasir.gateway.backend.GenerationListener;
import io.kvasir.gateway.metrics.GatewayMetrics;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * One admitted request in flight: submits its choices (prompts × n), turns their tokens into stream chunks or one
 * response, and reports its {@link Outcome} exactly once when every choice has ended, failed or been cancelled.
 */
final class RequestRun {

    /** What the request used, however it ended. */
    record Outcome(String requestId, int promptTokens, int completionTokens, int cachedTokens) {}

    private final ParsedRequest request;
    private final String id;
    private final List<int[]> prompts;
    private final List<String> echoes;
    private final List<SamplingParams> params;
    private final ResponseJson json;
    private final ResponseSink sink;
    private final GatewayMetrics metrics;
    private final Consumer<Outcome> onDone;
    private final long startNanos = System.nanoTime();
    private final List<Choice> choices = new ArrayList<>();
    private final List<Generation> generations = new ArrayList<>();
    private int open;
    private boolean done;
    private boolean firstToken;

    RequestRun(ParsedRequest request, String id, List<int[]> prompts, List<String> echoes, List<SamplingParams> params,
               ResponseJson json, ResponseSink sink, GatewayMetrics metrics, Consumer<Outcome> onDone) {
        this.request = request;
        this.id = id;
        this.prompts = prompts;
        this.echoes = echoes;
        this.params = params;
        this.json = json;
        this.sink = sink;
        this.metrics = metrics;
        this.onDone = onDone;
        for (int p = 0; p < prompts.size(); p++) {
            for (int i = 0; i < request.n(); i++) {
                choices.add(new Choice(p * request.n() + i, p));
            }
        }
        open = choices.size();
    }

    /** Submits every choice; a refusal part-way cancels those already started and answers the client. */
    void start(GenerationBackend backend) {
        for (Choice c : choices) {
            SamplingParams p = params.get(c.promptIndex);
            // Choices of one seeded request must differ from each other yet be reproducible.
            if (p.seed() != null && request.n() > 1) {
                p = p.toBuilder().seed(p.seed() + c.index % request.n()).build();
            }
            try {
                Generation g = backend.submit(new GenerationInput(id + "-" + c.index, prompts.get(c.promptIndex), p),
                        listener(c));
                synchronized (this) {
                    if (done) {
                        g.cancel();
                        return;
                    }
                    generations.add(g);
                }
            } catch (OpenAiException e) {
                fail(e);
                return;
            } catch (RuntimeException e) {
                fail(OpenAiException.internal("the backend failed to accept the request: " + e.getMessage()));
                return;
            }
        }
    }

    /** The client went away: stop every choice so its worker frees the slot. */
    synchronized void clientGone() {
        sink.markClosed();
        finish();
    }

    private GenerationListener listener(Choice c) {
        return new GenerationListener() {
            @Override
            public void onToken(SampledToken token, String text) {
                token(c, token, text);
            }

            @Override
            public void onFinish(FinishReason reason, int cachedPromptTokens) {
                finished(c, reason, cachedPromptTokens);
            }

            @Override
            public void onError(OpenAiException error) {
                fail(error);
            }
        };
    }

    private synchronized void token(Choice c, SampledToken token, String text) {
        if (done) {
            return;
        }
        long now = System.nanoTime();
        if (!firstToken) {
            firstToken = true;
            metrics.firstToken(now - startNanos);
        } else if (c.lastTokenNanos != 0) {
            metrics.interToken(now - c.lastTokenNanos);
        }
        c.lastTokenNanos = now;
        metrics.generatedToken();
        int offset = c.text.length();
        c.offsets.add(offset);
        c.tokens.add(token);
        c.text.append(text);
        if (!request.stream()) {
            return;
        }
        boolean usageField = request.includeUsage();
        if (!c.started) {
            c.started = true;
            if (request.endpoint() == ParsedRequest.Endpoint.CHAT) {
                sink.event(json.roleChunk(c, usageField));
            } else if (request.echo()) {
                sink.event(json.textChunk(c, echoes.get(c.promptIndex), null, 0, usageField));
            }
        }
        // A token whose text is held back (a possible stop string) still shows up when logprobs were asked for.
        if (!text.isEmpty() || request.logprobs() >= 0) {
            sink.event(json.textChunk(c, text, token, offset, usageField));
        }
    }

    private synchronized void finished(Choice c, FinishReason reason, int cachedPromptTokens) {
        if (done || c.finishReason != null) {
            return;
        }
        c.finishReason = reason;
        c.cachedPromptTokens = cachedPromptTokens;
        if (request.stream()) {
            if (!c.started && request.endpoint() == ParsedRequest.Endpoint.CHAT) {
                sink.event(json.roleChunk(c, request.includeUsage()));
            }
            sink.event(json.finishChunk(c, request.includeUsage()));
        }
        if (--open > 0) {
            return;
        }
        if (request.stream()) {
            if (request.includeUsage()) {
                sink.event(json.usageChunk(usage()));
            }
            sink.endStream();
        } else {
            sink.json(json.complete(choices, echoes, usage()));
        }
        metrics.finished(System.nanoTime() - startNanos);
        finish();
    }

    private synchronized void fail(OpenAiException e) {
        if (done) {
            return;
        }
        sink.error(e);
        finish();
    }

    private ObjectNode usage() {
        Outcome o = outcome();
        return ResponseJson.usage(o.promptTokens(), o.completionTokens(), o.cachedTokens());
    }

    private Outcome outcome() {
        int promptTokens = prompts.stream().mapToInt(p -> p.length).sum();
        int completion = choices.stream().mapToInt(c -> c.tokens.size()).sum();
        int[] cached = new int[prompts.size()];
        for (Choice c : choices) {
            cached[c.promptIndex] = Math.max(cached[c.promptIndex], c.cachedPromptTokens);
        }
        return new Outcome(id, promptTokens, completion, Arrays.stream(cached).sum());
    }

    private void finish() {
        if (done) {
            return;
        }
        done = true;
        generations.forEach(Generation::cancel);
        onDone.accept(outcome());
    }
}
