package io.kvasir.gateway.workers;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvasir.gateway.api.OpenAiException;
import io.kvasir.gateway.backend.GenerationInput;
import io.kvasir.gateway.backend.GenerationListener;
import io.kvasir.gateway.routing.RoutingChoice;
import io.kvasir.engine.kv.KvCache;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * One choice through the workers: prefill (retried on another worker on failure), then decode (retried while no
 * token has been relayed), relaying the decode worker's server-sent events to the listener. The first token comes
 * with the prefill's handoff and goes to the client at once, before decode has pulled the KV; the decode stream
 * replays it as its first event, which is then skipped. Cancelling closes the worker connection, which is how a
 * decode worker learns to drop the sequence and free its KV.
 */
final class WorkerCall {

    private static final Duration PREFILL_TIMEOUT = Duration.ofMinutes(10);

    private final HttpClient http;
    private final WorkerPool prefill;
    private final WorkerPool decode;
    private final GenerationInput input;
    private final GenerationListener listener;
    /** Prompt tokens the prefill worker will compute, by the prefix index: what this request adds to a queue. */
    private final int uncachedTokens;
    private final StallWatch stalls;
    private volatile boolean cancelled;
    private volatile InputStream open;
    /** When the open decode stream last sent anything. */
    private volatile long lastEventNanos;
    private volatile boolean silent;

    WorkerCall(HttpClient http, WorkerPool prefill, WorkerPool decode, GenerationInput input, GenerationListener listener,
               int uncachedTokens, StallWatch stalls) {
        this.http = http;
        this.prefill = prefill;
        this.decode = decode;
        this.input = input;
        this.listener = listener;
        this.uncachedTokens = uncachedTokens;
        this.stalls = stalls;
    }

    void cancel() {
        cancelled = true;
        closeStream();
    }

    /** Closes the open decode stream if it sent nothing for {@code limitNanos}; the reader then reports it. */
    void endIfSilent(long nowNanos, long limitNanos) {
        if (open != null && nowNanos - lastEventNanos > limitNanos) {
            silent = true;
            closeStream();
        }
    }

    private void closeStream() {
        InputStream in = open;
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // Closing is how we abandon the stream; a failure to close leaves nothing to undo.
            }
        }
    }

    void run() {
        try {
            JsonNode handoff = prefill();
            if (handoff != null && !cancelled) {
                WorkerWire.TokenEvent first = WorkerWire.firstToken(handoff);
                if (first != null) {
                    listener.onToken(first.token(), first.text());
                }
                decode(handoff, first != null);
            }
        } catch (OpenAiException e) {
            if (!cancelled) {
                listener.onError(e);
            }
        }
    }

    /** On the worker with the least prefill work queued ({@link RoutingChoice#prefill}). */
    private JsonNode prefill() {
        String body = WorkerWire.prefillRequest(input.requestId(), input.promptTokens(), input.params());
        Set<WorkerPool.Worker> tried = new HashSet<>();
        boolean sawOverload = false;
        while (!cancelled) {
            WorkerPool.Worker w = prefill.pick(RoutingChoice.prefill(uncachedTokens), tried);
            if (w == null) {
                throw exhausted("prefill", sawOverload);
            }
            tried.add(w);
            w.inFlight.incrementAndGet();
            w.queuedTokens.addAndGet(uncachedTokens);
            try {
                HttpResponse<String> r = http.send(post(w.base, WorkerWire.PREFILL_PATH, body, PREFILL_TIMEOUT),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return WorkerWire.MAPPER.readTree(r.body());
                }
                sawOverload |= r.statusCode() == 429;
                rejectIfClientError(r.statusCode(), r.body());
                prefill.failed(w);
            } catch (IOException e) {
                prefill.failed(w);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } finally {
                w.inFlight.decrementAndGet();
                w.queuedTokens.addAndGet(-uncachedTokens);
            }
        }
        return null;
    }

    /** On the decode worker with room for the sequence and the smallest batch ({@link RoutingChoice#decode}). */
    private void decode(JsonNode handoff, boolean firstTokenSent) {
        String body = WorkerWire.decodeRequest(handoff, input.params());
        int cached = WorkerWire.cachedTokens(handoff);
        int blocksNeeded = (input.promptTokens().length + input.params().maxTokens() + KvCache.BLOCK_TOKENS - 1)
                / KvCache.BLOCK_TOKENS;
        Set<WorkerPool.Worker> tried = new HashSet<>();
        boolean sawOverload = false;
        while (!cancelled) {
            WorkerPool.Worker w = decode.pick(RoutingChoice.decode(blocksNeeded), tried);
            if (w == null) {
                throw exhausted("decode", sawOverload);
            }
            tried.add(w);
            w.inFlight.incrementAndGet();
            boolean relayed = false;
            boolean replaySkipped = !firstTokenSent;
            try {
                HttpResponse<InputStream> r = http.send(post(w.base, WorkerWire.DECODE_PATH, body, stalls.limit()),
                        HttpResponse.BodyHandlers.ofInputStream());
                if (r.statusCode() != 200) {
                    String error = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
                    sawOverload |= r.statusCode() == 429;
                    rejectIfClientError(r.statusCode(), error);
                    decode.failed(w);
                    continue;
                }
                lastEventNanos = System.nanoTime();
                open = r.body();
                stalls.watch(this);
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                    String line;
                    while (!cancelled && (line = lines.readLine()) != null) {
                        lastEventNanos = System.nanoTime();
                        if (!line.startsWith("data:")) {
                            continue;
                        }
                        String data = line.substring(5).trim();
                        if (data.equals("[DONE]")) {
                            break;
                        }
                        WorkerWire.TokenEvent e = WorkerWire.tokenEvent(data);
                        if (e.token() != null && !replaySkipped) {
                            replaySkipped = true;                  // the first token, already sent from the handoff
                        } else if (e.token() != null) {
                            relayed = true;
                            listener.onToken(e.token(), e.text());
                        }
                        if (e.error() != null) {
                            throw OpenAiException.unavailable("decode worker " + w + " failed: " + e.error());
                        }
                        if (e.finishReason() != null) {
                            listener.onFinish(e.finishReason(), cached);
                            return;
                        }
                    }
                }
                if (cancelled) {
                    return;
                }
                throw new IOException("the decode stream ended without a finish reason");
            } catch (IOException e) {
                if (cancelled) {
                    return;
                }
                decode.failed(w);
                String why = silent ? "sent nothing for " + stalls.limit().toSeconds() + " s" : e.getMessage();
                silent = false;
                if (relayed) {
                    // Tokens already reached the client; a silent restart elsewhere would repeat or skip them.
                    throw OpenAiException.unavailable("decode worker " + w + " failed mid-stream: " + why);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                stalls.forget(this);
                open = null;
                w.inFlight.decrementAndGet();
            }
        }
    }

    private static HttpRequest post(URI base, String path, String body, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (timeout != null) {
            b.timeout(timeout);
        }
        return b.build();
    }

    /** A worker's 4xx other than 429 is about the request itself: retrying elsewhere would fail the same way. */
    private static void rejectIfClientError(int status, String body) {
        if (status >= 400 && status < 500 && status != 429) {
            throw OpenAiException.invalid(null, "a worker rejected the request (" + status + "): " + body);
        }
    }

    private static OpenAiException exhausted(String role, boolean sawOverload) {
        return sawOverload
                ? OpenAiException.overloaded("every " + role + " worker is at capacity; retry shortly", 1)
                : OpenAiException.unavailable("no healthy " + role + " worker could take the request");
    }
}
