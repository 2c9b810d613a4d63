package io.kvasir.engine.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.model.DemoShape;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.RandomWeights;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.model.demo.DemoModelWriter;
import io.kvasir.engine.model.format.GgufModelExporter;
import io.kvasir.engine.model.format.GgufVocabulary;
import io.kvasir.engine.runtime.EngineOptions;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.LoadedModel;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.engine.sampling.SamplingParams;
import io.kvasir.engine.tensor.DType;
import io.kvasir.engine.tokenizer.ByteLevelBpeVocabulary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The engine and llama.cpp side by side on the same bench-shape GGUF files (F32 and F16 weights): prompt
 * processing of one 512-token prompt and greedy decode, both with 2 threads, medians over repeats. llama.cpp runs
 * through node-llama-cpp ({@code tools/llama-cpp-bench.mjs}) with its default F16 KV cache.
 */
public final class CompareBenchmark {

    private static final int PROMPT = 512;
    private static final int GENERATE = 64;
    private static final int REPEATS = 3;

    private CompareBenchmark() {
    }

    public static ObjectNode run() throws Exception {
        Path benchDir = BenchModel.ensure();
        ModelConfig config = ModelConfig.read(benchDir.resolve("config.json"));
        ByteLevelBpeVocabulary v = ByteLevelBpeVocabulary.read(benchDir);
        GgufVocabulary vocab = new GgufVocabulary("gpt2", "qwen2", v.tokens(),
                v.tokenTypes().stream().mapToInt(Integer::intValue).toArray(), v.merges(), v.bosId(), v.eosId(), v.padId());
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("suite", "compare");
        root.put("prompt_tokens", PROMPT);
        root.put("generated_tokens", GENERATE);
        root.put("threads", io.kvasir.engine.tensor.Parallel.threads());
        ArrayNode results = root.putArray("results");
        for (DType dtype : List.of(DType.F32, DType.F16)) {
            Path gguf = benchDir.resolve("bench-" + dtype.name().toLowerCase() + ".gguf");
            if (!Files.exists(gguf)) {
                GgufModelExporter.export(config, RandomWeights.generate(config, BenchModel.SEED, DemoModelWriter.INIT_STD),
                        vocab, dtype, gguf);
            }
            ObjectNode r = results.addObject();
            r.put("weights", dtype.name().toLowerCase());
            measureEngine(gguf, r.putObject("kvasir"));
            measureLlamaCpp(gguf, r.putObject("llama_cpp"));
        }
        return root;
    }

    private static void measureEngine(Path gguf, ObjectNode out) throws Exception {
        try (InferenceEngine engine = new InferenceEngine(LoadedModel.load(gguf, WeightOptions.AS_STORED),
                EngineOptions.DEFAULTS.withPrefillChunk(PROMPT))) {
            int[] prompt = BenchModel.prompt(PROMPT, engine.model().config().vocabSize());
            double[] promptRates = new double[REPEATS], decodeRates = new double[REPEATS];
            for (int r = -1; r < REPEATS; r++) {                 // round -1 warms up
                Sequence seq = engine.start(prompt, BenchModel.greedyWithoutEnd());
                long t0 = System.nanoTime();
                engine.prefill(seq);
                long t1 = System.nanoTime();
                for (int i = 1; i < GENERATE; i++) {
                    engine.decode(List.of(seq));
                }
                long t2 = System.nanoTime();
                seq.cancel();
                if (r >= 0) {
                    promptRates[r] = PROMPT / ((t1 - t0) / 1e9);
                    decodeRates[r] = (GENERATE - 1) / ((t2 - t1) / 1e9);
                }
            }
            report(out, promptRates, decodeRates);
        }
    }

    private static void measureLlamaCpp(Path gguf, ObjectNode out) throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("kvasir.root", "."));
        Path npm = Path.of(System.getProperty("kvasir.home", ".kvasir")).resolve("npm");
        if (!Files.isDirectory(npm.resolve("node_modules/node-llama-cpp"))) {
            out.put("error", "node-llama-cpp is not installed in " + npm + " (tools/install-llama-cpp.sh)");
            return;
        }
        ProcessBuilder pb = new ProcessBuilder("node", root.resolve("tools/llama-cpp-bench.mjs").toString(),
                "--model", gguf.toString(), "--prompt-tokens", Integer.toString(PROMPT),
                "--generate", Integer.toString(GENERATE), "--repeats", Integer.toString(REPEATS), "--threads", "2");
        pb.environment().put("KVASIR_NPM_DIR", npm.toString());
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        byte[] stdout = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            out.put("error", "llama.cpp benchmark failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ")");
            return;
        }
        JsonNode j = new ObjectMapper().readTree(stdout);
        report(out, values(j.get("prompt_tokens_per_s")), values(j.get("decode_tokens_per_s")));
    }

    private static double[] values(JsonNode array) {
        List<Double> v = new ArrayList<>();
        array.forEach(n -> v.add(n.asDouble()));
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void report(ObjectNode out, double[] promptRates, double[] decodeRates) {
        out.put("prompt_tokens_per_s", median(promptRates));
        out.put("decode_tokens_per_s", median(decodeRates));
        ArrayNode p = out.putArray("prompt_samples");
        Arrays.stream(promptRates).forEach(p::add);
        ArrayNode d = out.putArray("decode_samples");
        Arrays.stream(decodeRates).forEach(d::add);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
