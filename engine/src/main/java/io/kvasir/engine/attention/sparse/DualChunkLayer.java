package io.kvasir.engine.attention.sparse;

import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.AttentionPlanner;
import io.kvasir.engine.kv.KvPrecision;
import io.kvasir.engine.model.DualChunkAttentionConfig;
import io.kvasir.engine.model.RopeScaling;
import io.kvasir.engine.model.RotaryEmbedding;

/**
 * One attention layer under Qwen2.5-1M's dual-chunk attention, for the attention bench: Q/K taken as the layer's
 * pre-RoPE projections, keys rotated at their DCA positions ({@code p mod L}) into the cache, each query rotated
 * three ways (intra, successive, inter) and all three scaled by s² for the prompt's length — what the Transformer
 * does per chunk, here for the whole prompt at once. Above {@code sparse_attention_threshold} a planner's plan limits
 * the keys (the estimate sees all three rotations), as in the engine.
 */
public final class DualChunkLayer {

    private final DualChunkAttentionConfig config;
    private final LayerAttention layer;
    private final float[][] queries;

    private DualChunkLayer(DualChunkAttentionConfig config, LayerAttention layer, float[][] queries) {
        this.config = config;
        this.layer = layer;
        this.queries = queries;
    }

    /** Rotates copies of {@code a}'s Q/K with RoPE at base {@code ropeTheta} (a's arrays are left as they are). */
    public static DualChunkLayer of(PlantedAttention a, DualChunkAttentionConfig dca, double ropeTheta) {
        int hd = a.headDim(), half = hd / 2, tokens = a.tokens();
        RotaryEmbedding rope = new RotaryEmbedding(hd, ropeTheta, RopeScaling.NONE, dca.chunkSize() + 1);
        float[] k = a.k().clone();
        float[][] q = {a.q().clone(), a.q().clone(), a.q().clone()};
        float[] cos = new float[half], sin = new float[half], interCos = new float[half], interSin = new float[half];
        rope.angles(dca.interQueryPosition(), interCos, interSin);
        float s2 = (float) Math.pow(dca.temperature(tokens), 2);
        int qWidth = a.heads() * hd;
        for (int p = 0; p < tokens; p++) {
            rope.angles(dca.keyPosition(p), cos, sin);                 // intra query position = key position
            rope.rotate(k, p * a.kvHeads() * hd, a.kvHeads(), cos, sin, 0);
            rope.rotate(q[0], p * qWidth, a.heads(), cos, sin, 0);
            rope.angles(dca.successiveQueryPosition(p), cos, sin);
            rope.rotate(q[1], p * qWidth, a.heads(), cos, sin, 0);
            rope.rotate(q[2], p * qWidth, a.heads(), interCos, interSin, 0);
            for (float[] version : q) {
                for (int i = p * qWidth; i < (p + 1) * qWidth; i++) {
                    version[i] *= s2;
                }
            }
        }
        LayerAttention layer = new LayerAttention(tokens, a.heads(), a.kvHeads(), hd, q[0], k, a.v(), KvPrecision.F32);
        return new DualChunkLayer(dca, layer, q);
    }

    public int queryBlocks() {
        return layer.queryBlocks();
    }

    /** The planner's plan when the prompt reaches the sparse threshold, else null (dense dual-chunk attention). */
    public AttentionPlan plan(AttentionPlanner planner) {
        return layer.tokens() < config.sparseAttentionThreshold() ? null
                : planner.plan(0, layer.dualChunkInputs(queries, config.chunkLength()));
    }

    /** Runs {@code plan} (null: dense) over the chosen heads and query blocks; layouts as {@link LayerAttention#run}. */
    public void run(AttentionPlan plan, int[] headList, int[] blocks, float[] out, float[] lse) {
        layer.runDualChunk(queries, config.chunkLength(), plan, headList, blocks, out, lse);
    }
}
