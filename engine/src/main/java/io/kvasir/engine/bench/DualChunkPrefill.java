package io.kvasir.engine.bench;

import io.kvasir.engine.attention.AttentionPlanner;
import io.kvasir.engine.model.DualChunkAttentionConfig;

/**
 * Qwen2.5-1M's recipe: the model runs with dual-chunk attention {@code dca}; chunks that end at or beyond its sparse
 * threshold attend by {@code aboveThreshold}'s plans (estimated with all three DCA query rotations), shorter ones
 * densely. The engine makes that split; this only names the variant and the planner.
 */
record DualChunkPrefill(String name, DualChunkAttentionConfig dualChunk, AttentionPlanner planner) implements PrefillMethod {
}
