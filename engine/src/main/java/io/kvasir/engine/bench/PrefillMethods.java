package io.kvasir.engine.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The prefill methods a benchmark can be asked for, by name with an optional budget after a colon
 * ({@code a_shape:4096}); the method's own factory reads the budget. A sparse method joins by adding its name and
 * factory to {@link #AVAILABLE} and leaving {@link #PENDING}; until then its name is refused with a message, never
 * run as something else.
 */
public final class PrefillMethods {

    /** Makes the method for a spec such as "a_shape:4096"; {@code budget} is the part after the colon, or null. */
    interface Factory {
        PrefillMethod create(String spec, String budget);
    }

    private static final Map<String, Factory> AVAILABLE = Map.of("dense", PrefillMethods::dense);

    /** Methods of the sparse-prefill work (ARCHITECTURE.md §3) that this build does not contain yet. */
    private static final List<String> PENDING = List.of("a_shape", "vertical_slash", "block_sparse", "seer", "s2", "dca");

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
                throw new IllegalArgumentException(PENDING.contains(name)
                        ? "prefill method '" + name + "' is not available in this build: the sparse attention methods"
                          + " (engine.attention.sparse) have not been merged yet; available: " + available()
                        : "unknown prefill method '" + name + "'; available: " + available());
            }
            methods.add(factory.create(spec, colon < 0 ? null : spec.substring(colon + 1)));
        }
        return methods;
    }

    public static String available() {
        return String.join(", ", new TreeSet<>(AVAILABLE.keySet()));
    }

    private static PrefillMethod dense(String spec, String budget) {
        if (budget != null) {
            throw new IllegalArgumentException("dense attention takes no budget, got '" + spec + "'");
        }
        return PrefillMethod.withPlan("dense", null);
    }
}
