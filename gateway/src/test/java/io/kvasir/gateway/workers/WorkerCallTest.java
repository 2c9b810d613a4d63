package io.kvasir.gateway.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.kvasir.engine.sampling.FinishReason;
import io.kvasir.engine.sampling.SampledToken;
import io.kvasir.engine.sampling.SamplingParams;
import io.kvasir.gateway.api.OpenAiException;
import io.kvasir.gateway.backend.GenerationInput;
import io.kvasir.gateway.backend.GenerationListener;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One choice through two stand-in workers on real HTTP: the first token reaches the client from the prefill's handoff
 * while the decode worker has not yet streamed anything, and the decode stream's replay of it is not sent twice.
 */
class WorkerCallTest {

    private static final String HANDOFF = "{\"requestId\":\"r-1\",\"model\":\"fp\",\"promptTokens\":[3,4,5],"
            + "\"blockHashes\":[],\"partialBlock\":true,\"tokenCount\":3,\"cachedTokens\":0,"
            + "\"firstToken\":{\"id\":7,\"logprob\":-0.5,\"top\":[]},\"firstText\":\"A\"}";

    @Test
    void theFirstTokenGoesOutBeforeDecodeStreamsAndOnlyOnce() throws Exception {
        CountDownLatch decodeMayStream = new CountDownLatch(1);
        HttpServer prefill = server();
        prefill.createContext(WorkerWire.PREFILL_PATH, exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = HANDOFF.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        HttpServer decode = server();
        decode.createContext(WorkerWire.DECODE_PATH, exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                awaitRelease(decodeMayStream);                  // as a decode worker still pulling the KV
                event(out, "{\"token\":7,\"text\":\"A\",\"logprob\":-0.5}");
                event(out, "{\"token\":8,\"text\":\"B\",\"logprob\":-0.25}");
                event(out, "{\"finish_reason\":\"length\",\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}");
                out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            }
        });
        List<String> received = new CopyOnWriteArrayList<>();
        CompletableFuture<FinishReason> finished = new CompletableFuture<>();
        CountDownLatch firstToken = new CountDownLatch(1);
        GenerationListener listener = new GenerationListener() {
            @Override
            public void onToken(SampledToken token, String text) {
                received.add(token.id() + ":" + text);
                firstToken.countDown();
            }

            @Override
            public void onFinish(FinishReason reason, int cachedPromptTokens) {
                finished.complete(reason);
            }

            @Override
            public void onError(OpenAiException error) {
                finished.completeExceptionally(error);
            }
        };
        try (StallWatch stalls = new StallWatch(Duration.ofSeconds(30))) {
            WorkerCall call = new WorkerCall(HttpClient.newHttpClient(), new WorkerPool(List.of(url(prefill))),
                    new WorkerPool(List.of(url(decode))), new GenerationInput("r-1", new int[]{3, 4, 5},
                    SamplingParams.builder().temperature(0).maxTokens(2).build()), listener, 3, stalls);
            Thread runner = Thread.ofVirtual().start(call::run);
            assertTrue(firstToken.await(30, TimeUnit.SECONDS), "the first token waited for the decode stream");
            assertEquals(List.of("7:A"), received);
            decodeMayStream.countDown();
            assertEquals(FinishReason.LENGTH, finished.get(30, TimeUnit.SECONDS));
            runner.join(Duration.ofSeconds(30));
            assertEquals(List.of("7:A", "8:B"), received);
        } finally {
            prefill.stop(0);
            decode.stop(0);
        }
    }

    @Test
    void aHandoffWithoutTheFirstTokensTextLeavesItToTheDecodeStream() throws Exception {
        assertNull(WorkerWire.firstToken(WorkerWire.MAPPER.readTree(HANDOFF.replace(",\"firstText\":\"A\"", ""))));
    }

    private static HttpServer server() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        return server;
    }

    private static String url(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void event(OutputStream out, String json) throws IOException {
        out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void awaitRelease(CountDownLatch latch) throws IOException {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IOException("the test never let the decode stream go on");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
