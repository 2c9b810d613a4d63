package io.kvasir.engine.model;

/**
 * The query side of dual-chunk attention: besides the intra-chunk rotation (the keys' own positions, done with the
 * keys), each query gets a successive-chunk and an inter-chunk rotation, and all three are multiplied by s² (the
 * YaRN temperature on q and k, folded into q so cached keys stay independent of the sequence length).
 */
final class DualChunkQueries {

    private DualChunkQueries() {
    }

    /**
     * From the unrotated queries {@code q} ({@code [T][heads·headDim]}) fills {@code out[0]} (successive) and
     * {@code out[1]} (inter), rotated and scaled.
     */
    static void rotate(DualChunkAttentionConfig dca, RotaryEmbedding rope, int[] positions, int[] sequenceLength,
                       float[] q, float[][] out, int tokens, int heads) {
        int width = heads * rope.headDim(), half = rope.headDim() / 2;
        float[] cos = new float[half], sin = new float[half], interCos = new float[half], interSin = new float[half];
        rope.angles(dca.interQueryPosition(), interCos, interSin);
        for (int t = 0; t < tokens; t++) {
            System.arraycopy(q, t * width, out[0], t * width, width);
            System.arraycopy(q, t * width, out[1], t * width, width);
            rope.angles(dca.successiveQueryPosition(positions[t]), cos, sin);
            rope.rotate(out[0], t * width, heads, cos, sin, 0);
            rope.rotate(out[1], t * width, heads, interCos, interSin, 0);
        }
        scale(dca, sequenceLength, out[0], tokens, width);
        scale(dca, sequenceLength, out[1], tokens, width);
    }

    /** Multiplies each token's queries by s² for its sequence's length. */
    static void scale(DualChunkAttentionConfig dca, int[] sequenceLength, float[] q, int tokens, int width) {
        for (int t = 0; t < tokens; t++) {
            double s = dca.temperature(sequenceLength[t]);
            float factor = (float) (s * s);
            for (int i = 0; i < width; i++) {
                q[t * width + i] *= factor;
            }
        }
    }
}
