package io.kvasir.engine.attention.sparse;

import io.kvasir.engine.attention.AttentionPlanner;
import io.kvasir.engine.model.DualChunkAttentionConfig;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.ModelWeights;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sparse-attention methods by name, for benchmarks and tools that compare them: {@link #planner(String)} with
 * default budgets, {@link #planner(String, Map)} with budgets overridden by key. Names and budget keys:
 * <ul>
 *   <li>{@code dense} — none</li>
 *   <li>{@code a_shape} — {@code sink} (128), {@code local} (3968)</li>
 *   <li>{@code vertical_slash} — {@code vertical} (1000), {@code slash} (512)</li>
 *   <li>{@code block_sparse} — {@code blocks} (100 key blocks per query block, the sink block and the local diagonal
 *       included; blocks ranked by the per-channel key bound, see {@link BlockSparseEstimator})</li>
 *   <li>{@code s2} — {@code local} (16 local blocks), {@code stride} (8: every 8th block, offset per head);
 *       a planner only, no per-head pattern</li>
 *   <li>{@code seer} — needs fitted gates: {@link #seer(Path, ModelConfig, double)} ({@code sparse-search --seer}
 *       writes them); the budget is the share of key blocks kept (default 0.1)</li>
 *   <li>{@code seer} — or {@link #seerFitted} fits them on a calibration prompt first</li>
 *   <li>{@code dca} — not a planner: dual-chunk attention is a property of the model
 *       ({@code dual_chunk_attention_config} in config.json, or {@link ModelConfig#withDualChunkAttention}, e.g. with
 *       {@link #benchDualChunk()}); above its sparse threshold it runs whichever planner the engine has (e.g.
 *       {@code vertical_slash})</li>
 * </ul>
 */
public final class SparseMethods {

    public static final String DENSE = "dense";
    public static final String A_SHAPE = "a_shape";
    public static final String VERTICAL_SLASH = "vertical_slash";
    public static final String BLOCK_SPARSE = "block_sparse";
    public static final String S2 = "s2";
    public static final String SEER = "seer";
    public static final String DCA = "dca";

    private SparseMethods() {
    }

    public static List<String> names() {
        return List.of(DENSE, A_SHAPE, VERTICAL_SLASH, BLOCK_SPARSE, S2);
    }

    /** The method's pattern at its default budgets. */
    public static PatternSpec defaults(String method) {
        return withBudgets(method, Map.of());
    }

    /** The method's pattern with {@code budgets} (keys as in the class comment) replacing the defaults. */
    public static PatternSpec withBudgets(String method, Map<String, Integer> budgets) {
        return switch (method) {
            case DENSE -> {
                check(method, budgets, Set.of());
                yield PatternSpec.dense();
            }
            case A_SHAPE -> {
                check(method, budgets, Set.of("sink", "local"));
                yield PatternSpec.aShape(budgets.getOrDefault("sink", AShapePattern.DEFAULT_SINK),
                        budgets.getOrDefault("local", AShapePattern.DEFAULT_LOCAL));
            }
            case VERTICAL_SLASH -> {
                check(method, budgets, Set.of("vertical", "slash"));
                yield PatternSpec.verticalSlash(budgets.getOrDefault("vertical", VerticalSlashEstimator.DEFAULT_VERTICALS),
                        budgets.getOrDefault("slash", VerticalSlashEstimator.DEFAULT_SLASHES));
            }
            case BLOCK_SPARSE -> {
                check(method, budgets, Set.of("blocks"));
                yield PatternSpec.blockSparse(budgets.getOrDefault("blocks", BlockSparseEstimator.DEFAULT_TOP_BLOCKS));
            }
            default -> throw new IllegalArgumentException("unknown sparse method '" + method + "' (" + String.join(", ", names()) + ")");
        };
    }

    /** A planner applying the method to every head of every layer, at default budgets. */
    public static AttentionPlanner planner(String method) {
        return planner(method, Map.of());
    }

    public static AttentionPlanner planner(String method, Map<String, Integer> budgets) {
        if (method.equals(SEER) || method.equals(DCA)) {
            throw new IllegalArgumentException(method.equals(SEER)
                    ? "seer needs fitted gates: SparseMethods.seer(gateDir, model, selection) (sparse-search --seer writes them)"
                    : "dca is enabled by the model's dual_chunk_attention_config, not by a planner");
        }
        if (method.equals(S2)) {
            check(method, budgets, Set.of("local", "stride"));
            return new S2Sharding(budgets.getOrDefault("local", S2Sharding.DEFAULT_LOCAL_BLOCKS),
                    budgets.getOrDefault("stride", S2Sharding.DEFAULT_VERT_STRIDE), false, 0, 0);
        }
        return new SparsePlanner(SparseAttentionConfig.uniform(withBudgets(method, budgets)), 0);
    }

    /**
     * SeerAttention for {@code model} with gates fitted now, by self-distillation on {@code calibrationPrompts} (the
     * model runs densely and stays frozen; {@code rounds} passes, {@code steps} Adam steps per head on each prompt),
     * choosing key blocks by {@link SeerSelection#DEFAULT}. Progress goes to {@code progress}.
     */
    public static AttentionPlanner seerFitted(ModelConfig model, ModelWeights weights, List<int[]> calibrationPrompts,
                                              int rounds, int steps, PrintStream progress) {
        List<SeerGate> gates = SparseSearch.fitSeerGates(model, weights, calibrationPrompts, rounds, steps,
                SeerAttention.FIT_LEARNING_RATE, progress);
        return new SeerAttention(gates, model, SeerSelection.DEFAULT);
    }

    /**
     * The dual-chunk layout benchmarks give a model that ships none: Qwen2.5-1M's (262144 / 8192 / 32768) scaled to
     * 8K–128K prompts — 8192-token chunks with a 1024-token local window — and Qwen's sparse threshold, 32768.
     */
    public static DualChunkAttentionConfig benchDualChunk() {
        return new DualChunkAttentionConfig(8192, 1024, 8192, DualChunkAttentionConfig.DEFAULT_SPARSE_THRESHOLD);
    }

    /** SeerAttention with the gates in {@code gateDir}, choosing each query block's key blocks by {@code selection}. */
    public static AttentionPlanner seer(Path gateDir, ModelConfig model, SeerSelection selection) throws IOException {
        return new SeerAttention(SeerAttention.read(gateDir, model), model, selection);
    }

    private static void check(String method, Map<String, Integer> budgets, Set<String> allowed) {
        for (String key : budgets.keySet()) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException(method + " has no budget '" + key + "' (" + allowed + ")");
            }
        }
    }
}
