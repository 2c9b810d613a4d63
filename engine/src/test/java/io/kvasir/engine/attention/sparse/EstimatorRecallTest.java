package io.kvasir.engine.attention.sparse;

import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.KeySpans;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Estimators on planted-structure Q/K/V (8192 tokens, 16 query / 4 KV heads, head dim 64) at their default budgets:
 * attention recall {@code exp(lse_sparse − lse_full)} over 16 query blocks spread through the prompt (the last one
 * included), against the dense kernel (itself checked against float64 in PagedAttentionTest).
 */
class EstimatorRecallTest {

    private static final int TOKENS = 8192;
    private static PlantedAttention planted;
    private static LayerAttention layer;
    private static int[] heads, blocks;
    private static float[] denseOut, denseLse;

    @BeforeAll
    static void dense() {
        planted = PlantedAttention.generate(TOKENS, 16, 4, 64, 3);
        layer = LayerAttention.of(planted);
        heads = LayerAttention.range(16);
        blocks = new int[16];
        Arrays.setAll(blocks, i -> (i + 1) * layer.queryBlocks() / blocks.length - 1);
        denseOut = new float[TOKENS * 16 * 64];
        denseLse = new float[TOKENS * 16];
        layer.run(AttentionPlan.dense(0), heads, blocks, denseOut, denseLse);
    }

    private static Recall recall(PatternSpec spec) {
        AttentionPlan plan = new SparsePlanner(SparseAttentionConfig.uniform(spec), 0).plan(0, layer.inputs());
        float[] out = new float[denseOut.length], lse = new float[denseLse.length];
        layer.run(plan, heads, blocks, out, lse);
        return Recall.of(denseLse, lse, denseOut, out, TOKENS, 16, 64, heads, blocks);
    }

    @Test
    void verticalSlashReachesTargetRecall() {
        Recall r = recall(SparseMethods.defaults(SparseMethods.VERTICAL_SLASH));
        assertTrue(r.mean() >= 0.95, "vertical-slash recall " + r);
    }

    @Test
    void blockSparseReachesTargetRecall() {
        Recall r = recall(SparseMethods.defaults(SparseMethods.BLOCK_SPARSE));
        assertTrue(r.mean() >= 0.95, "block-sparse recall " + r);
    }

    /** The planted structure is not all local: a fixed sink + window misses a measurable share of it. */
    @Test
    void aShapeMissesTheFarStructure() {
        Recall r = recall(SparseMethods.defaults(SparseMethods.A_SHAPE));
        assertTrue(r.mean() < 0.95, "A-shape recall " + r + " — the planted far structure carries too little mass");
    }

    /**
     * Needle keys are read only by the last queries; the estimate from those queries must keep them, even at a
     * budget of 100 columns of which 30 are the forced first columns.
     */
    @Test
    void verticalSlashKeepsTheNeedlesForTheLastQueries() {
        AttentionPlan plan = new SparsePlanner(SparseAttentionConfig.uniform(PatternSpec.verticalSlash(100, 50)), 0)
                .plan(0, layer.inputs());
        int first = TOKENS - 64;
        for (int h = 0; h < 16; h++) {
            boolean[] seen = SparsePlansTest.visible(plan.spans(h, first, TOKENS - 1), TOKENS - 1);
            for (int needle : planted.needleKeys()[h / 4]) {
                assertTrue(seen[needle], "head " + h + " misses needle key " + needle);
            }
        }
    }
}
