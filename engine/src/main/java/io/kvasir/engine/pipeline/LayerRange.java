package io.kvasir.engine.pipeline;

import java.util.ArrayList;
import java.util.List;

/** The decoder layers [{@code from}, {@code to}) one pipeline stage runs. */
public record LayerRange(int from, int to) {

    public LayerRange {
        if (from < 0 || from >= to) {
            throw new IllegalArgumentException("empty or negative layer range [" + from + ", " + to + ")");
        }
    }

    /** {@code stages} contiguous ranges covering {@code layers} layers, sizes differing by at most one. */
    public static List<LayerRange> split(int layers, int stages) {
        if (stages < 1 || stages > layers) {
            throw new IllegalArgumentException(stages + " stages for " + layers + " layers");
        }
        List<LayerRange> out = new ArrayList<>();
        for (int s = 0, from = 0; s < stages; s++) {
            int to = from + layers / stages + (s < layers % stages ? 1 : 0);
            out.add(new LayerRange(from, to));
            from = to;
        }
        return out;
    }
}
