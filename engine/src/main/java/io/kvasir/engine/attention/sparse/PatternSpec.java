package io.kvasir.engine.attention.sparse;

import java.util.List;

/**
 * One head's entry in a MInference-format config: {@code [type, vertical, slash, score]}. Types and what the two
 * budgets mean: {@code vertical_and_slash} (vertical columns, slash diagonals), {@code a_shape} (sink tokens, local
 * tokens), {@code block_sparse} (key blocks per query block; slash unused), {@code block_sparse_mean} (the same,
 * scored by the mean key as MInference does), {@code dense}. {@code score} is the
 * recall the search measured for it (informational).
 */
public record PatternSpec(String type, int vertical, int slash, double score) {

    public static final String VERTICAL_SLASH = "vertical_and_slash";
    public static final String A_SHAPE = "a_shape";
    public static final String BLOCK_SPARSE = "block_sparse";
    /** Not a MInference type: block-sparse with MInference's own mean-pooled key score (see BlockSparseEstimator). */
    public static final String BLOCK_SPARSE_MEAN = "block_sparse_mean";
    public static final String DENSE = "dense";
    private static final List<String> TYPES = List.of(VERTICAL_SLASH, A_SHAPE, BLOCK_SPARSE, BLOCK_SPARSE_MEAN, DENSE);

    public PatternSpec {
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("unknown sparse pattern '" + type + "' (" + String.join(", ", TYPES) + ")");
        }
        if (vertical < 0 || slash < 0) {
            throw new IllegalArgumentException("negative budget in " + type + " [" + vertical + ", " + slash + "]");
        }
    }

    public static PatternSpec verticalSlash(int verticals, int slashes) {
        return new PatternSpec(VERTICAL_SLASH, verticals, slashes, 0);
    }

    public static PatternSpec aShape(int sinkTokens, int localTokens) {
        return new PatternSpec(A_SHAPE, sinkTokens, localTokens, 0);
    }

    public static PatternSpec blockSparse(int topBlocks) {
        return new PatternSpec(BLOCK_SPARSE, topBlocks, 0, 0);
    }

    public static PatternSpec dense() {
        return new PatternSpec(DENSE, 0, 0, 0);
    }

    /** The same budgets under another pattern type. */
    public PatternSpec withType(String newType) {
        return new PatternSpec(newType, vertical, slash, score);
    }

    /** The same pattern with the given budgets and score. */
    public PatternSpec with(int newVertical, int newSlash, double newScore) {
        return new PatternSpec(type, newVertical, newSlash, newScore);
    }

    /** The head pattern this entry describes, or null for dense. */
    HeadPattern pattern() {
        return switch (type) {
            case VERTICAL_SLASH -> new VerticalSlashEstimator(vertical, slash);
            case A_SHAPE -> new AShapePattern(vertical, slash);
            case BLOCK_SPARSE -> new BlockSparseEstimator(vertical, BlockSparseEstimator.Score.BOUND);
            case BLOCK_SPARSE_MEAN -> new BlockSparseEstimator(vertical, BlockSparseEstimator.Score.MEAN);
            default -> null;
        };
    }
}
