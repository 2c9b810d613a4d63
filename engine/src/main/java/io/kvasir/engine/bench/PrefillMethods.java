package io.kvasir.engine.bench;

import io.kvasir.engine.attention.sparse.SeerSelection;
import io.kvasir.engine.attention.sparse.SparseMethods;
import io.kvasir.engine.model.DualChunkAttentionConfig;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The prefill methods a benchmark can be asked for, by name with an optional budget after a colon, "key=value" parts
 * separated by '/': {@code vertical_slash:vertical=30/slash=50}, {@code a_shape:sink=64/local=1024},
 * {@code block_sparse:blocks=4}, {@code s2:local=4/stride=8} (budgets not named keep {@link SparseMethods}' defaults);
 * {@code seer:mass=0.99}, {@code seer:ratio=0.05} or {@code seer:threshold=0.01} (gates fitted on the model first, see {@link SeerPrefill});
 * {@code dca:chunk=4096/local=256/threshold=32768/vertical=1000/slash=256} (a dual-chunk variant of the model,
 * vertical-slash above the threshold, see {@link DualChunkPrefill}). A method is never run as something else.
 */
public final class PrefillMethods {

    /** DCA chunk when the budget names none: at 8192 tokens the asked needle falls in all three DCA regions by depth. */
    static final int DEFAULT_DCA_CHUNK = 4096;
    /** DCA local size as a share of the chunk when the budget names none (Qwen2.5-1M: 8192 of 262144). */
    static final int DCA_LOCAL_DIVISOR = 16;

    /** Makes the method for a spec such as "a_shape:sink=64"; {@code budgets} is the parsed part after the colon. */
    private interface Factory {
        PrefillMethod create(String spec, String name, Map<String, String> budgets);
    }

    private final SeerPrefill.Gates seerGates = new SeerPrefill.Gates();
    private final Map<String, Factory> factories = Map.of(
            SparseMethods.DENSE, PrefillMethods::dense,
            SparseMethods.A_SHAPE, PrefillMethods::sparse,
            SparseMethods.VERTICAL_SLASH, PrefillMethods::sparse,
            SparseMethods.BLOCK_SPARSE, PrefillMethods::sparse,
            SparseMethods.S2, PrefillMethods::sparse,
            SparseMethods.SEER, this::seer,
            SparseMethods.DCA, PrefillMethods::dualChunk);

    private PrefillMethods() {
    }

    /** Resolves every spec before anything runs, so a long benchmark never fails half-way on a typo. */
    public static List<PrefillMethod> resolve(List<String> specs) {
        PrefillMethods registry = new PrefillMethods();
        List<PrefillMethod> methods = new ArrayList<>();
        for (String spec : specs) {
            int colon = spec.indexOf(':');
            String name = colon < 0 ? spec : spec.substring(0, colon);
            Factory factory = registry.factories.get(name);
            if (factory == null) {
                throw new IllegalArgumentException("unknown prefill method '" + name + "'; available: " + available());
            }
            methods.add(factory.create(spec, name, colon < 0 ? Map.of() : budgets(spec, spec.substring(colon + 1))));
        }
        return methods;
    }

    public static String available() {
        return String.join(", ", new TreeSet<>(new PrefillMethods().factories.keySet()));
    }

    private static Map<String, String> budgets(String spec, String budget) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String part : budget.split("/")) {
            String[] kv = part.split("=", 2);
            if (kv.length != 2 || kv[0].isBlank()) {
                throw new IllegalArgumentException("budget '" + part + "' of '" + spec + "' is not key=value");
            }
            out.put(kv[0].trim(), kv[1].trim());
        }
        return out;
    }

    private static PrefillMethod sparse(String spec, String name, Map<String, String> budgets) {
        return PrefillMethod.withPlanner(spec, SparseMethods.planner(name, integers(spec, budgets)));
    }

    private static PrefillMethod dense(String spec, String name, Map<String, String> budgets) {
        if (!budgets.isEmpty() || spec.contains(":")) {
            throw new IllegalArgumentException("dense attention takes no budget, got '" + spec + "'");
        }
        return PrefillMethod.withPlan(SparseMethods.DENSE, null);
    }

    private PrefillMethod seer(String spec, String name, Map<String, String> budgets) {
        allowOnly(spec, budgets, Set.of("mass", "ratio", "threshold"));
        if (budgets.size() > 1) {
            throw new IllegalArgumentException("'" + spec + "' takes one of mass, ratio or threshold, got " + new TreeSet<>(budgets.keySet()));
        }
        SeerSelection selection = SeerSelection.DEFAULT;
        for (SeerSelection.Rule rule : SeerSelection.Rule.values()) {
            String key = SeerSelection.name(rule);
            if (budgets.containsKey(key)) {
                try {
                    selection = new SeerSelection(rule, decimal(spec, budgets, key, 0));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(spec + ": " + e.getMessage(), e);
                }
            }
        }
        return new SeerPrefill(spec, selection, seerGates);
    }

    private static PrefillMethod dualChunk(String spec, String name, Map<String, String> budgets) {
        Map<String, Integer> b = integers(spec, budgets);
        allowOnly(spec, budgets, Set.of("chunk", "local", "threshold", "vertical", "slash"));
        int chunk = b.getOrDefault("chunk", DEFAULT_DCA_CHUNK);
        DualChunkAttentionConfig dca = new DualChunkAttentionConfig(chunk, b.getOrDefault("local", chunk / DCA_LOCAL_DIVISOR),
                chunk, b.getOrDefault("threshold", DualChunkAttentionConfig.DEFAULT_SPARSE_THRESHOLD));
        Map<String, Integer> sparse = new HashMap<>();
        for (String key : List.of("vertical", "slash")) {
            if (b.containsKey(key)) {
                sparse.put(key, b.get(key));
            }
        }
        return new DualChunkPrefill(spec, dca, SparseMethods.planner(SparseMethods.VERTICAL_SLASH, sparse));
    }

    private static void allowOnly(String spec, Map<String, String> budgets, Set<String> keys) {
        for (String key : budgets.keySet()) {
            if (!keys.contains(key)) {
                throw new IllegalArgumentException("'" + spec + "' has no budget '" + key + "' (" + new TreeSet<>(keys) + ")");
            }
        }
    }

    private static Map<String, Integer> integers(String spec, Map<String, String> budgets) {
        Map<String, Integer> out = new HashMap<>();
        budgets.forEach((key, value) -> {
            try {
                out.put(key, Integer.parseInt(value));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("budget '" + key + "=" + value + "' of '" + spec + "' is not a whole number");
            }
        });
        return out;
    }

    private static double decimal(String spec, Map<String, String> budgets, String key, double fallback) {
        String value = budgets.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("budget '" + key + "=" + value + "' of '" + spec + "' is not a number");
        }
    }
}
