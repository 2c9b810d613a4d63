package io.kvasir.gateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code ./kvasir bench serving}, in the manner of vLLM's benchmark_serving: streamed completions with random
 * token-id prompts of a fixed length arrive as a Poisson process at the given rate (all at once for rate inf);
 * reports time to first token, inter-token latency and end-to-end latency percentiles and output throughput.
 */
public final class ServingBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Options(String url, double rate, int requests, int promptTokens, int outputTokens, Path json,
                           String model, long seed, Path engineModel) {}

    /** What one request measured; ttft is NaN for a failed request. */
    private record Sample(boolean ok, double ttftMs, List<Double> itlMs, double e2eMs, int outputTokens) {}

    public static void main(String[] args) throws Exception {
        Options o = parse(args);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String model = o.model() != null ? o.model() : firstModel(http, o.url());
        Random random = new Random(o.seed());
        List<CompletableFuture<Sample>> futures = new ArrayList<>();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < o.requests(); i++) {
                int[] prompt = new int[o.promptTokens()];
                randomPrompt(random, prompt);
                String body = body(model, prompt, o.outputTokens());
                futures.add(CompletableFuture.supplyAsync(() -> run(http, o.url(), body), pool));
                if (Double.isFinite(o.rate()) && i < o.requests() - 1) {
                    Thread.sleep((long) (-Math.log(1 - random.nextDouble()) / o.rate() * 1000));
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<Sample> samples = futures.stream().map(CompletableFuture::join).toList();
        ObjectNode out = report(samples, seconds);
        out.put("url", o.url());
        out.put("rate", Double.isFinite(o.rate()) ? Double.toString(o.rate()) : "inf");
        out.put("prompt_tokens", o.promptTokens());
        out.put("output_tokens", o.outputTokens());
        if (o.engineModel() != null) {
            // Same prompt length, same model, no HTTP: the in-process engine's prefill is the TTFT floor.
            out.put("engine_prefill_ms_p50", EnginePrefillTiming.medianMs(o.engineModel(), o.promptTokens(), o.seed()));
        }
        String text = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out);
        System.out.println(text);
        if (o.json() != null) {
            Files.writeString(o.json(), text);
        }
    }

    /** Ordinary text ids low in the vocabulary, which every byte-level BPE has. */
    static void randomPrompt(Random random, int[] prompt) {
        for (int t = 0; t < prompt.length; t++) {
            prompt[t] = 32 + random.nextInt(224);
        }
    }

    private static String body(String model, int[] prompt, int outputTokens) {
        ObjectNode b = JSON.createObjectNode();
        b.put("model", model);
        ArrayNode ids = b.putArray("prompt");
        for (int t : prompt) {
            ids.add(t);
        }
        b.put("max_tokens", outputTokens);
        b.put("ignore_eos", true);
        b.put("stream", true);
        b.putObject("stream_options").put("include_usage", true);
        return b.toString();
    }

    private static Sample run(HttpClient http, String url, String body) {
        long sent = System.nanoTime();
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/completions"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                r.body().close();
                return new Sample(false, Double.NaN, List.of(), 0, 0);
            }
            double ttft = Double.NaN;
            long last = 0;
            List<Double> itl = new ArrayList<>();
            int tokens = 0;
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (!line.startsWith("data:") || line.contains("[DONE]")) {
                        continue;
                    }
                    JsonNode chunk = JSON.readTree(line.substring(5));
                    if (chunk.has("error")) {
                        return new Sample(false, Double.NaN, List.of(), 0, 0);
                    }
                    if (chunk.path("usage").isObject()) {
                        tokens = chunk.get("usage").path("completion_tokens").asInt();
                    }
                    // Tokens whose text is held back (part of a character) arrive with a later chunk, as in vLLM's
                    // benchmark: latency is measured between chunks that carry text.
                    if (chunk.path("choices").path(0).path("text").asText("").isEmpty()) {
                        continue;
                    }
                    long now = System.nanoTime();
                    if (Double.isNaN(ttft)) {
                        ttft = (now - sent) / 1e6;
                    } else {
                        itl.add((now - last) / 1e6);
                    }
                    last = now;
                }
            }
            return new Sample(tokens > 0 && !Double.isNaN(ttft), ttft, itl, (System.nanoTime() - sent) / 1e6, tokens);
        } catch (Exception e) {
            return new Sample(false, Double.NaN, List.of(), 0, 0);
        }
    }

    private static ObjectNode report(List<Sample> samples, double seconds) {
        List<Double> ttft = new ArrayList<>();
        List<Double> itl = new ArrayList<>();
        List<Double> e2e = new ArrayList<>();
        long tokens = 0;
        int errors = 0;
        for (Sample s : samples) {
            if (!s.ok()) {
                errors++;
                continue;
            }
            ttft.add(s.ttftMs());
            itl.addAll(s.itlMs());
            e2e.add(s.e2eMs());
            tokens += s.outputTokens();
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("suite", "serving");
        out.put("requests", samples.size());
        out.put("errors", errors);
        out.set("ttft_ms", percentiles(ttft));
        out.set("itl_ms", percentiles(itl));
        out.set("e2e_ms", percentiles(e2e));
        out.put("output_tokens_per_s", tokens / seconds);
        out.put("duration_s", seconds);
        return out;
    }

    private static ObjectNode percentiles(List<Double> values) {
        ObjectNode p = JSON.createObjectNode();
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        for (int q : new int[]{50, 90, 99}) {
            if (sorted.isEmpty()) {
                p.putNull("p" + q);
            } else {
                p.put("p" + q, sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q / 100.0 * sorted.size()) - 1)));
            }
        }
        return p;
    }

    private static String firstModel(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body()).path("data").path(0).path("id").asText();
    }

    private static Options parse(String[] args) {
        String url = "http://127.0.0.1:8000";
        double rate = Double.POSITIVE_INFINITY;
        int requests = 32;
        int prompt = 256;
        int output = 32;
        Path json = null;
        String model = null;
        long seed = 0;
        Path engineModel = null;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (v == null) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--url" -> url = v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
                case "--rate" -> rate = v.equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(v);
                case "--requests" -> requests = Integer.parseInt(v);
                case "--prompt-tokens" -> prompt = Integer.parseInt(v);
                case "--output-tokens" -> output = Integer.parseInt(v);
                case "--json" -> json = Path.of(v);
                case "--model" -> model = v;
                case "--seed" -> seed = Long.parseLong(v);
                case "--engine-model" -> engineModel = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--url U --rate R --requests N --prompt-tokens P --output-tokens O --json F [--model M] [--engine-model DIR])");
            }
            i++;
        }
        if (rate <= 0 || requests <= 0 || prompt <= 0 || output <= 0) {
            throw new IllegalArgumentException("rate, requests, prompt and output tokens must be positive");
        }
        return new Options(url, rate, requests, prompt, output, json, model, seed, engineModel);
    }
}
