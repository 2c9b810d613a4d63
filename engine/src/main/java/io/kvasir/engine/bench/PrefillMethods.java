package io.kvasir.engine.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The prefill methods a benchmark can be asked for by name. A sparse method joins by adding its name and factory
 * to {@link #AVAILABLE} and leaving {@link #PENDING}; until then its name is refused with a message, never run as
 * something else.
 */
public final class PrefillMethods {

    private static final Map<String, Supplier<PrefillMethod>> AVAILABLE = Map.of(
            "dense", () -> PrefillMethod.withPlan("dense", null));

    /** Methods of the sparse-prefill work (ARCHITECTURE.md §3) that this build does not contain yet. */
    private static final List<String> PENDING = List.of("a_shape", "vertical_slash", "block_sparse", "seer", "s2", "dca");

    private PrefillMethods() {
    }

    /** Resolves every name before anything runs, so a long benchmark never fails half-way on a typo. */
    public static List<PrefillMethod> resolve(List<String> names) {
        List<PrefillMethod> methods = new ArrayList<>();
        for (String name : names) {
            Supplier<PrefillMethod> factory = AVAILABLE.get(name);
            if (factory == null) {
                throw new IllegalArgumentException(PENDING.contains(name)
                        ? "prefill method '" + name + "' is not available in this build: the sparse attention methods"
                          + " (engine.attention.sparse) have not been merged yet; available: " + available()
                        : "unknown prefill method '" + name + "'; available: " + available());
            }
            methods.add(factory.get());
        }
        return methods;
    }

    public static String available() {
        return String.join(", ", new TreeSet<>(AVAILABLE.keySet()));
    }
}
