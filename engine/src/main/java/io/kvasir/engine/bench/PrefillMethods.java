package io.kvasir.engine.bench;

import io.kvasir.engine.attention.sparse.SparseMethods;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The prefill methods a benchmark can be asked for, by name with an optional budget after a colon
 * ({@code vertical_slash:vertical=30/slash=50}, {@code a_shape:sink=64/local=1024}, {@code block_sparse:blocks=4},
 * {@code s2:local=4/stride=8}); budgets not named keep the method's defaults ({@link SparseMethods}). Methods that this
 * benchmark cannot run on a given checkpoint are refused with the reason, never run as something else.
 */
public final class PrefillMethods {

    /** Makes the method for a spec such as "a_shape:4096"; {@code budget} is the part after the colon, or null. */
    interface Factory {
        PrefillMethod create(String spec, String budget);
    }

    private static final Map<String, Factory> AVAILABLE = Map.of(
            "dense", PrefillMethods::dense,
            SparseMethods.A_SHAPE, PrefillMethods::sparse,
            SparseMethods.VERTICAL_SLASH, PrefillMethods::sparse,
            SparseMethods.BLOCK_SPARSE, PrefillMethods::sparse,
            SparseMethods.S2, PrefillMethods::sparse);

    /** Why the other sparse methods are not benchmark options: they belong to the checkpoint, not to a prefill call. */
    private static final Map<String, String> NOT_PER_PREFILL = Map.of(
            SparseMethods.SEER, "seer needs gates fitted to the model (sparse-search --seer writes them into the model "
                    + "folder, where the engine's own configuration picks them up)",
            SparseMethods.DCA, "dca is switched on by the checkpoint's dual_chunk_attention_config, not per prefill");

    private PrefillMethods() {
    }

    /** Resolves every spec before anything runs, so a long benchmark never fails half-way on a typo. */
    public static List<PrefillMethod> resolve(List<String> specs) {
        List<PrefillMethod> methods = new ArrayList<>();
        for (String spec : specs) {
            int colon = spec.indexOf(':');
            String name = colon < 0 ? spec : spec.substring(0, colon);
            Factory factory = AVAILABLE.get(name);
            if (factory == null) {
                throw new IllegalArgumentException(NOT_PER_PREFILL.containsKey(name)
                        ? "prefill method '" + name + "' cannot be chosen per prefill: " + NOT_PER_PREFILL.get(name)
                        : "unknown prefill method '" + name + "'; available: " + available());
            }
            methods.add(factory.create(spec, colon < 0 ? null : spec.substring(colon + 1)));
        }
        return methods;
    }

    public static String available() {
        return String.join(", ", new TreeSet<>(AVAILABLE.keySet()));
    }

    /** A sparse planner with budgets "key=value" separated by '/', e.g. "vertical=30/slash=50". */
    private static PrefillMethod sparse(String spec, String budget) {
        String name = spec.contains(":") ? spec.substring(0, spec.indexOf(':')) : spec;
        Map<String, Integer> budgets = new HashMap<>();
        if (budget != null) {
            for (String part : budget.split("/")) {
                String[] kv = part.split("=", 2);
                if (kv.length != 2) {
                    throw new IllegalArgumentException("budget '" + part + "' of '" + spec + "' is not key=value");
                }
                try {
                    budgets.put(kv[0].trim(), Integer.parseInt(kv[1].trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("budget '" + part + "' of '" + spec + "' is not a whole number");
                }
            }
        }
        return PrefillMethod.withPlanner(spec, SparseMethods.planner(name, budgets));
    }

    private static PrefillMethod dense(String spec, String budget) {
        if (budget != null) {
            throw new IllegalArgumentException("dense attention takes no budget, got '" + spec + "'");
        }
        return PrefillMethod.withPlan("dense", null);
    }
}
