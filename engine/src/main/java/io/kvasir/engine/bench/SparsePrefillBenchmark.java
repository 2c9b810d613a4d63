package io.kvasir.engine.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.attention.AttentionInputs;
import io.kvasir.engine.attention.AttentionPlanner;
import io.kvasir.engine.attention.sparse.S2Sharding;
import io.kvasir.engine.attention.sparse.SparseMethods;
import io.kvasir.engine.kv.BlockTable;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.KvPrecision;
import io.kvasir.engine.model.DemoShape;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.RandomWeights;
import io.kvasir.engine.model.SequenceChunk;
import io.kvasir.engine.model.Transformer;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.model.format.SafetensorsWriter;
import io.kvasir.engine.runtime.LoadedModel;
import io.kvasir.engine.tensor.DType;
import io.kvasir.engine.tokenizer.TokenizerGenerator;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * End-to-end chunked prefill of the {@code small} demo shape (random weights, generated 32000-token vocabulary) with
 * dense attention and with each sparse method applied to every layer and head, side by side at each length: wall and
 * process CPU time, and how far the last position's log-probabilities move from dense. {@code seer} first fits its
 * gates on a calibration prompt ({@code seer_gate} in the report); {@code dca} runs the same weights with
 * {@link SparseMethods#benchDualChunk()} as the model's {@code dual_chunk_attention_config} (vertical-slash above its
 * threshold) — a different attention function, so its log-probability shift measures DCA itself, not sparsity.
 */
public final class SparsePrefillBenchmark {

    private static final int VOCAB = 32000;
    private static final int SEER_CALIBRATION_TOKENS = 2048, SEER_PROMPTS = 6, SEER_ROUNDS = 2, SEER_FIT_STEPS = 25;

    private SparsePrefillBenchmark() {
    }

    public static ObjectNode run(int[] lengths, List<String> methods, int chunk) throws Exception {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("suite", "prefill-sparse");
        root.put("shape", "small");
        root.put("prefill_chunk", chunk);
        ArrayNode results = root.putArray("results");
        Path dir = Files.createTempDirectory("kvasir-prefill-bench");
        ModelConfig config = DemoShape.SMALL.config(VOCAB, -1, List.of(VOCAB - 1));
        Files.writeString(dir.resolve("config.json"), config.toJson());
        SafetensorsWriter.write(dir.resolve("model.safetensors"), RandomWeights.generate(config, 42, 0.02), DType.BF16, Map.of());
        TokenizerGenerator.write(dir, VOCAB);
        try (LoadedModel model = LoadedModel.load(dir, WeightOptions.AS_STORED)) {
            Map<String, AttentionPlanner> planners = new HashMap<>();
            for (String method : methods) {
                planners.put(method, switch (method) {
                    case SparseMethods.DENSE -> null;
                    case SparseMethods.DCA -> SparseMethods.planner(SparseMethods.VERTICAL_SLASH);
                    case SparseMethods.SEER -> null;                    // fitted below, after the checks
                    default -> SparseMethods.planner(method);             // unknown names fail before any work
                });
            }
            prefill(model, model.config(), 4096, chunk, null, BenchModel.prompt(4096, VOCAB));   // JIT warm-up
            if (methods.contains(SparseMethods.SEER)) {
                planners.put(SparseMethods.SEER, fitSeer(model, root.putObject("seer_gate")));
            }
            ModelConfig dcaConfig = model.config().withDualChunkAttention(SparseMethods.benchDualChunk());
            if (methods.contains(SparseMethods.DCA)) {
                root.set("dca_config", new ObjectMapper().readTree(dcaConfig.toJson()).get("dual_chunk_attention_config"));
            }
            for (int tokens : lengths) {
                int[] prompt = BenchModel.prompt(tokens, VOCAB);
                double[] dense = null;
                for (String method : methods) {
                    AttentionPlanner planner = planners.get(method);
                    ModelConfig shape = method.equals(SparseMethods.DCA) ? dcaConfig : model.config();
                    com.sun.management.OperatingSystemMXBean os =
                            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                    long c0 = os.getProcessCpuTime(), t0 = System.nanoTime();
                    float[] logits = prefill(model, shape, prompt.length, chunk, planner, prompt);
                    double ms = (System.nanoTime() - t0) / 1e6, cpuMs = (os.getProcessCpuTime() - c0) / 1e6;
                    double[] lp = logSoftmax(logits);
                    if (dense == null) {
                        dense = lp;
                    }
                    double shift = 0;
                    for (int i = 0; i < lp.length; i++) {
                        shift = Math.max(shift, Math.abs(lp[i] - dense[i]));
                    }
                    ObjectNode r = results.addObject();
                    r.put("method", method);
                    r.put("tokens", tokens);
                    r.put("ms", ms);
                    r.put("cpu_ms", cpuMs);
                    r.put("max_abs_logprob_shift_vs_first", shift);
                    System.err.printf("prefill bench: %d tokens, %s: %.0f ms (cpu %.0f ms), last-token logprob shift %.4f%n",
                            tokens, method, ms, cpuMs, shift);
                }
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return root;
    }

    /**
     * SeerAttention gates fitted by self-distillation on {@link #SEER_PROMPTS} calibration prompts of
     * {@link #SEER_CALIBRATION_TOKENS} pseudo-random tokens that none of the timed prompts shares, {@link #SEER_ROUNDS}
     * passes of {@link #SEER_FIT_STEPS} steps each (several prompts, so the gates do not learn one prompt's blocks).
     */
    private static AttentionPlanner fitSeer(LoadedModel model, ObjectNode report) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(2024);
        List<int[]> prompts = new java.util.ArrayList<>();
        for (int p = 0; p < SEER_PROMPTS; p++) {
            int[] calibration = new int[SEER_CALIBRATION_TOKENS];
            Arrays.setAll(calibration, i -> 256 + r.nextInt(VOCAB - 512));
            prompts.add(calibration);
        }
        long t0 = System.nanoTime();
        AttentionPlanner seer = SparseMethods.seerFitted(model.config(), model.weights(), prompts, SEER_ROUNDS,
                SEER_FIT_STEPS, System.err);
        report.put("calibration_tokens", SEER_CALIBRATION_TOKENS);
        report.put("calibration_prompts", SEER_PROMPTS);
        report.put("rounds", SEER_ROUNDS);
        report.put("steps_per_prompt", SEER_FIT_STEPS);
        report.put("fit_seconds", (System.nanoTime() - t0) / 1e9);
        return seer;
    }

    /** The last position's logits after prefilling {@code prompt} in chunks with a model of configuration {@code c}. */
    private static float[] prefill(LoadedModel model, ModelConfig c, int tokens, int chunk, AttentionPlanner planner, int[] prompt) {
        KvCache cache = new KvCache(c.numLayers(), c.numKvHeads(), c.headDim(), AttentionInputs.keyBlocks(tokens), KvPrecision.F32,
                layer -> planner instanceof S2Sharding s2 && s2.shardsLayer(layer, c.numHeads()));
        Transformer transformer = new Transformer(c, model.weights(), cache, planner);
        BlockTable table = new BlockTable(cache);
        float[] logits = null;
        for (int from = 0; from < tokens; from += chunk) {
            int[] part = Arrays.copyOfRange(prompt, from, Math.min(tokens, from + chunk));
            logits = transformer.forward(List.of(new SequenceChunk(table, part, false, null)));
        }
        return logits;
    }

    private static double[] logSoftmax(float[] x) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float v : x) {
            max = Math.max(max, v);
        }
        for (float v : x) {
            sum += Math.exp(v - max);
        }
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] - max - Math.log(sum);
        }
        return out;
    }
}
