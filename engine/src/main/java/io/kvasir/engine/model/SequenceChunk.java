package io.kvasir.engine.model;

import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.AttentionPlanner;
import io.kvasir.engine.kv.BlockTable;

/**
 * New tokens of one sequence in a forward batch: a prefill chunk, or the single last-sampled token in a decode step.
 * Their positions continue the sequence's KV cache ({@code table.tokens()} before the pass).
 *
 * @param allLogits logits for every token (scoring) rather than only the last (generation)
 * @param plan      attention plan for every layer, or null: the planner's plan, or dense attention
 * @param planner   this chunk's per-layer planner instead of the engine's (null: the engine's)
 */
public record SequenceChunk(BlockTable table, int[] tokens, boolean allLogits, AttentionPlan plan, AttentionPlanner planner) {

    public SequenceChunk(BlockTable table, int[] tokens, boolean allLogits, AttentionPlan plan) {
        this(table, tokens, allLogits, plan, null);
    }

    public SequenceChunk {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("a chunk needs at least one token");
        }
    }

    public int logitRows() {
        return allLogits ? tokens.length : 1;
    }
}
