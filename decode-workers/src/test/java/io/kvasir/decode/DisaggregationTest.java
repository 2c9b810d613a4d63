package io.kvasir.decode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.kv.KvPrecision;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.sampling.SampledToken;
import io.kvasir.engine.sampling.SamplingParams;
import io.kvasir.engine.sampling.TokenLogprob;
import io.kvasir.kvstore.BlockHashes;
import io.kvasir.kvstore.KvStoreClient;
import io.kvasir.kvstore.KvStoreMember;
import io.kvasir.kvstore.events.EventBus;
import io.kvasir.kvstore.events.KvEvent;
import io.kvasir.kvstore.events.UsageRecord;
import io.kvasir.kvstore.events.WorkerLoad;
import io.kvasir.kvstore.handoff.WorkerEngine;
import io.kvasir.kvstore.handoff.WorkerJson;
import io.kvasir.prefill.PrefillServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Disaggregated prefill and decode, all real processes on loopback: two kv-store members, a prefill worker and a
 * decode worker, each its own JVM; the test JVM is the client and runs the single-process reference. Both workers
 * and the reference keep BF16 KV, so the store moves BF16 blocks byte for byte and outputs must be identical.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DisaggregationTest {

    private static final KvPrecision KV = KvPrecision.BF16;
    /**
     * Every computing JVM warms up the same way first: the engine's vector reductions sum in another order before
     * its kernels are C2-compiled, so a cold JVM's logprobs differ from a warm one's in the last bits (measured:
     * the same prompt gave -2.7513244, then -2.7513208, then -2.7513263 as one JVM warmed up).
     */
    private static final int WARM_UP = 60;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    static Path dir;
    private static Path model;
    private static final List<JavaProcess> members = new ArrayList<>();
    private static final List<String> memberUrls = new ArrayList<>();
    private static String memberList;
    private static String cluster;
    private static JavaProcess prefill;
    private static JavaProcess decode;
    private static String prefillUrl;
    private static String decodeUrl;
    private static InferenceEngine reference;
    private static KvStoreClient busClient;
    private static final BlockingQueue<KvEvent> kvEvents = new LinkedBlockingQueue<>();
    private static final BlockingQueue<WorkerLoad> loads = new LinkedBlockingQueue<>();
    private static final BlockingQueue<UsageRecord> usage = new LinkedBlockingQueue<>();

    @BeforeAll
    static void startCluster() throws Exception {
        model = TestModel.write(dir.resolve("model"));
        int[] ports = {JavaProcess.freePort(), JavaProcess.freePort()};
        memberList = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1];
        cluster = "disagg-test-" + ports[0];
        for (int port : ports) {
            members.add(new JavaProcess("member-" + port, KvStoreMember.class, KvStoreMember.READY, "--port",
                    Integer.toString(port), "--members", memberList, "--cluster", cluster, "--max-mib", "128"));
        }
        for (JavaProcess m : members) {
            String ready = m.awaitReady();
            int at = ready.indexOf("metrics on 127.0.0.1:") + "metrics on 127.0.0.1:".length();
            memberUrls.add("http://127.0.0.1:" + ready.substring(at, ready.indexOf(')', at)));
        }
        String[] worker = {"--model", model.toString(), "--members", memberList, "--cluster", cluster, "--kv", "bf16",
                "--prefill-chunk", Integer.toString(TestModel.PREFILL_CHUNK), "--kv-mib", "32", "--warmup", Integer.toString(WARM_UP), "--port", "0"};
        prefill = new JavaProcess("prefill", PrefillServer.class, PrefillServer.READY, worker);
        decode = new JavaProcess("decode", DecodeServer.class, DecodeServer.READY, worker);
        prefillUrl = "http://127.0.0.1:" + prefill.awaitPort();
        decodeUrl = "http://127.0.0.1:" + decode.awaitPort();
        busClient = KvStoreClient.connect(cluster, List.of(memberList.split(",")));
        EventBus bus = busClient.eventBus();
        bus.onKvEvent(kvEvents::add);
        bus.onWorkerLoad(loads::add);
        bus.onUsage(usage::add);
        reference = TestModel.engine(model, KV);
        WorkerEngine.warmUp(reference, WARM_UP);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (busClient != null) {
            busClient.close();
        }
        for (JavaProcess p : new JavaProcess[]{decode, prefill}) {
            if (p != null) {
                p.close();
            }
        }
        for (JavaProcess m : members) {
            m.close();
        }
        if (reference != null) {
            reference.close();
        }
    }

    private static SamplingParams greedy(int maxTokens) {
        return SamplingParams.builder().temperature(0).logprobs(3).maxTokens(maxTokens).ignoreEos(true).build();
    }

    private static ObjectNode samplingJson(int maxTokens) {
        ObjectNode n = WorkerJson.MAPPER.createObjectNode();
        n.put("temperature", 0).put("logprobs", 3).put("max_tokens", maxTokens).put("ignore_eos", true);
        return n;
    }

    private static HttpResponse<String> post(String url, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode prefill(String requestId, int[] prompt, int maxTokens) throws Exception {
        ObjectNode body = samplingJson(maxTokens);
        body.put("request_id", requestId);
        ArrayNode ids = body.putArray("token_ids");
        for (int t : prompt) {
            ids.add(t);
        }
        HttpResponse<String> r = post(prefillUrl + "/internal/v1/prefill", body.toString());
        assertEquals(200, r.statusCode(), r.body());
        return WorkerJson.MAPPER.readTree(r.body());
    }

    /** The SSE events of a decode, as tokens with their logprobs; fails on an error event. */
    private static List<SampledToken> decode(JsonNode handoff, int maxTokens) throws Exception {
        ObjectNode body = samplingJson(maxTokens);
        body.set("handoff", handoff);
        return events(post(decodeUrl + "/internal/v1/decode", body.toString()));
    }

    private static List<SampledToken> events(HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        List<SampledToken> tokens = new ArrayList<>();
        boolean finished = false;
        for (String line : r.body().split("\n")) {
            if (!line.startsWith("data: ") || line.equals("data: [DONE]")) {
                continue;
            }
            JsonNode e = WorkerJson.MAPPER.readTree(line.substring(6));
            assertTrue(!e.has("error"), "decode failed: " + e);
            if (e.has("finish_reason")) {
                finished = true;
                continue;
            }
            List<TokenLogprob> top = new ArrayList<>();
            e.get("top_logprobs").forEach(t -> top.add(new TokenLogprob(t.get("id").asInt(), t.get("logprob").floatValue())));
            tokens.add(new SampledToken(e.get("token").asInt(), e.get("logprob").floatValue(), top));
        }
        assertTrue(finished, "the stream ended without a finish event: " + r.body());
        return tokens;
    }

    private static Map<String, Long> metrics(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body().lines().filter(l -> l.startsWith("kvasir_"))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf(' ')), l -> Long.parseLong(l.substring(l.indexOf(' ') + 1))));
    }

    /** Bit for bit: same token ids, same logprobs, same alternatives. */
    private static void assertSameTokensAndLogprobs(List<SampledToken> expected, List<SampledToken> actual) {
        assertEquals(TestModel.ids(expected), TestModel.ids(actual));
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).logprob(), actual.get(i).logprob(), 0f, "logprob of token " + i);
            assertEquals(expected.get(i).top(), actual.get(i).top(), "alternatives of token " + i);
        }
    }

    @Test
    @Order(1)
    void prefillAndDecodeInSeparateProcessesMatchTheSingleProcessEngine() throws Exception {
        int[] prompt = TestModel.tokens(150, 1);                        // two full blocks and a partial one
        List<SampledToken> expected = TestModel.generate(reference, prompt, greedy(60));
        JsonNode handoff = prefill("lossless", prompt, 60);
        assertEquals(2, handoff.get("blockHashes").size());
        assertTrue(handoff.get("partialBlock").asBoolean());
        assertSameTokensAndLogprobs(expected, decode(handoff, 60));

        // Generated text filled the third block (positions 128..191): the decode worker persisted it.
        int[] text = new int[192];
        System.arraycopy(prompt, 0, text, 0, prompt.length);
        for (int i = prompt.length; i < text.length; i++) {
            text[i] = expected.get(i - prompt.length).id();
        }
        assertEquals(3, busClient.longestPrefix(handoff.get("model").asText(), BlockHashes.of(text), 2).size());
    }

    @Test
    @Order(5)
    void aClientThatGoesAwayCancelsItsSequenceAndFreesItsBlocks() throws Exception {
        long freeBefore = metrics(decodeUrl).get("kvasir_kv_blocks_free");
        JsonNode handoff = prefill("goes-away", TestModel.tokens(300, 8), 100_000);
        ObjectNode body = samplingJson(100_000);
        body.set("handoff", handoff);
        HttpResponse<java.io.InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create(decodeUrl + "/internal/v1/decode"))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        java.io.BufferedReader events = new java.io.BufferedReader(new java.io.InputStreamReader(r.body()));
        for (int seen = 0; seen < 5; ) {
            if (events.readLine().startsWith("data: ")) {
                seen++;
            }
        }
        assertEquals(1, metrics(decodeUrl).get("kvasir_running_requests"));
        r.body().close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Map<String, Long> m = metrics(decodeUrl);
        while (m.get("kvasir_running_requests") > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
            m = metrics(decodeUrl);
        }
        assertEquals(0, m.get("kvasir_running_requests"), "the sequence was cancelled");
        assertEquals(freeBefore, m.get("kvasir_kv_blocks_free"), "its blocks were freed");
        assertEquals(0, m.get("kvasir_expert_cache_hits_total"), "a dense model has no expert cache, but the series is there");
    }

    @Test
    @Order(2)
    void workersPublishStoredBlocksUsageAndLoadOnTheEventBus() throws Exception {
        int[] prompt = TestModel.tokens(200, 7);
        JsonNode handoff = prefill("events", prompt, 5);
        decode(handoff, 5);
        KvEvent stored = next(kvEvents, e -> e.source().equals("prefill events"));
        assertEquals(KvEvent.Kind.STORED, stored.kind());
        assertEquals(List.of(handoff.get("blockHashes").get(0).asText(), handoff.get("blockHashes").get(1).asText(),
                handoff.get("blockHashes").get(2).asText()), stored.blockHashes());
        UsageRecord used = next(usage, u -> u.requestId().equals("events"));
        assertEquals(200, used.promptTokens());
        assertEquals(5, used.completionTokens());
        long owned = 0;
        for (String url : memberUrls) {
            owned += metrics(url).get("kvasir_kv_store_blocks");
        }
        assertTrue(owned >= 2 * 3, "members own the prompt's full blocks (every layer): " + owned);
        java.util.Set<String> roles = new java.util.HashSet<>();
        while (roles.size() < 2) {
            WorkerLoad load = loads.poll(10, TimeUnit.SECONDS);
            assertTrue(load != null, "no load report from every worker: " + roles);
            assertTrue(load.kvBlocksFree() > 0);
            roles.add(load.role());
        }
    }

    /** The first event that matches; others (from earlier requests, published after their responses) are skipped. */
    private static <T> T next(BlockingQueue<T> events, java.util.function.Predicate<T> matches) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            T e = events.poll(100, TimeUnit.MILLISECONDS);
            if (e != null && matches.test(e)) {
                return e;
            }
        }
        throw new AssertionError("no matching event within 10 s");
    }

    @Test
    @Order(3)
    void secondRequestSharingA4kPrefixComputesOnlyItsNewTokens() throws Exception {
        int[] prefix = TestModel.tokens(4096, 2);
        int[] first = TestModel.concat(prefix, TestModel.tokens(50, 3));
        int[] second = TestModel.concat(prefix, TestModel.tokens(70, 4));
        prefill("prefix-a", first, 8);
        Map<String, Long> before = metrics(prefillUrl);
        JsonNode handoff = prefill("prefix-b", second, 8);
        Map<String, Long> after = metrics(prefillUrl);
        assertEquals(4096, handoff.get("cachedTokens").asInt());
        assertEquals(70, after.get("kvasir_prompt_tokens_computed_total") - before.get("kvasir_prompt_tokens_computed_total"));
        assertEquals(4096, after.get("kvasir_prefix_cache_hit_tokens_total") - before.get("kvasir_prefix_cache_hit_tokens_total"));
        assertSameTokensAndLogprobs(TestModel.generate(reference, second, greedy(8)), decode(handoff, 8));
    }

    @Test
    @Order(4)
    void malformedRequestsGet4xxWithAMessageAndTheWorkersKeepServing() throws Exception {
        String prefillPath = prefillUrl + "/internal/v1/prefill";
        String decodePath = decodeUrl + "/internal/v1/decode";
        assertError(400, post(prefillPath, "{\"request_id\":\"x\",\"token_ids\":[1,-5]}"), "token id");
        assertError(400, post(prefillPath, "{\"request_id\":\"x\",\"token_ids\":[1," + TestModel.VOCAB + "]}"), "token id");
        assertError(400, post(prefillPath, "{\"request_id\":\"x\",\"token_ids\":\"abc\"}"), "token_ids");
        assertError(400, post(prefillPath, "not json"), "JSON");
        int[] prompt = TestModel.tokens(100, 5);
        JsonNode handoff = prefill("malformed", prompt, 4);
        ObjectNode unknown = handoff.deepCopy();
        unknown.put("requestId", "never-prefilled");                    // its partial block is not in the store
        ObjectNode body = samplingJson(4);
        body.set("handoff", unknown);
        assertError(404, post(decodePath, body.toString()), "not in the store");
        ObjectNode negative = samplingJson(4);
        negative.put("max_tokens", -3);
        negative.set("handoff", handoff);
        assertError(400, post(decodePath, negative.toString()), "max_tokens");
        assertError(400, post(decodePath, "{\"handoff\":[1,2]}"), "handoff");
        assertSameTokensAndLogprobs(TestModel.generate(reference, prompt, greedy(4)), decode(handoff, 4));
    }

    private static void assertError(int status, HttpResponse<String> r, String messagePart) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        String message = WorkerJson.MAPPER.readTree(r.body()).get("error").get("message").asText();
        assertTrue(message.contains(messagePart), message);
    }

    @Test
    @Order(6)
    void underKvPressureTheDecodeWorkerParksSequencesInTheStoreAndStillAnswersExactly() throws Exception {
        String[] worker = {"--model", model.toString(), "--members", memberList, "--cluster", cluster, "--kv", "bf16",
                "--prefill-chunk", Integer.toString(TestModel.PREFILL_CHUNK), "--kv-mib", "1",
                "--warmup", Integer.toString(WARM_UP), "--port", "0"};
        try (JavaProcess small = new JavaProcess("decode-1mib", DecodeServer.class, DecodeServer.READY, worker)) {
            String smallUrl = "http://127.0.0.1:" + small.awaitPort();
            int requests = 8;
            List<int[]> prompts = new ArrayList<>();
            List<JsonNode> handoffs = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                prompts.add(TestModel.tokens(300 + 7 * i, 20 + i));
                handoffs.add(prefill("pressure-" + i, prompts.get(i), 200));
            }
            Map<String, Long> before = metrics(smallUrl);
            List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
            for (JsonNode handoff : handoffs) {
                ObjectNode body = samplingJson(200);
                body.set("handoff", handoff);
                streams.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(smallUrl + "/internal/v1/decode"))
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString()));
            }
            // Fused, these sequences share forwards of up to 8 rows, whose matrix kernels sum in another order than
            // batch 1's, and BF16 KV carries the rounding on: tokens must match exactly, logprobs to 1e-3.
            for (int i = 0; i < requests; i++) {
                List<SampledToken> expected = TestModel.generate(reference, prompts.get(i), greedy(200));
                List<SampledToken> actual = events(streams.get(i).get(120, TimeUnit.SECONDS));
                assertEquals(TestModel.ids(expected), TestModel.ids(actual), "request " + i);
                for (int t = 0; t < expected.size(); t++) {
                    assertEquals(expected.get(t).logprob(), actual.get(t).logprob(), 1e-3f, "request " + i + " token " + t);
                }
            }
            Map<String, Long> after = metrics(smallUrl);
            assertTrue(after.get("kvasir_preemptions_total") > 0, "64 KV blocks cannot hold 8 × 9 blocks");
            long iterations = after.get("kvasir_decode_iterations_total") - before.get("kvasir_decode_iterations_total");
            assertEquals(iterations, after.get("kvasir_decode_forwards_total") - before.get("kvasir_decode_forwards_total"),
                    "one forward per loop iteration");
            assertEquals(requests * (200 - 1), after.get("kvasir_generation_tokens_total")
                    - before.get("kvasir_generation_tokens_total"), "each forward covered every active sequence");
            assertTrue(iterations < requests * (200 - 1) / 2, "sequences shared forwards: " + iterations + " iterations");
        }
    }

    @Test
    @Order(7)
    void killingOneMemberAfterPrefillLosesNothing() throws Exception {
        int[] prompt = TestModel.tokens(700, 6);
        JsonNode handoff = prefill("member-kill", prompt, 12);
        members.get(1).kill();
        assertSameTokensAndLogprobs(TestModel.generate(reference, prompt, greedy(12)), decode(handoff, 12));
    }
}
