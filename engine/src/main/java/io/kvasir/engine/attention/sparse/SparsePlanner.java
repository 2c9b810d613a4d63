package io.kvasir.engine.attention.sparse;

import io.kvasir.engine.attention.AttentionInputs;
import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.AttentionPlanner;
import io.kvasir.engine.attention.KeySpans;
import io.kvasir.engine.tensor.Parallel;

/**
 * Plans each chunk of each layer from a {@link SparseAttentionConfig}: every head gets its configured pattern,
 * estimated from the chunk's own queries. Decode steps (one query) and sequences shorter than {@code minTokens}
 * stay dense: there the estimate would cost more than it saves.
 */
public final class SparsePlanner implements AttentionPlanner {

    private final SparseAttentionConfig config;
    private final int minTokens;

    public SparsePlanner(SparseAttentionConfig config, int minTokens) {
        this.config = config;
        this.minTokens = minTokens;
    }

    public SparseAttentionConfig config() {
        return config;
    }

    @Override
    public AttentionPlan plan(int layer, AttentionInputs in) {
        if (in.rows() < 2 || in.keyCount() < minTokens) {
            return null;
        }
        KeySpans[][] spans = new KeySpans[in.numHeads()][];
        boolean anySparse = false;
        for (int h = 0; h < in.numHeads(); h++) {
            anySparse |= config.of(layer, h).pattern() != null;
        }
        if (!anySparse) {
            return null;
        }
        Parallel.forEach(in.numHeads(), h -> {
            HeadPattern p = config.of(layer, h).pattern();
            spans[h] = p == null ? null : p.plan(in, h);
        });
        return new BlockPlan(in.firstPosition(), spans, in.window());
    }
}
