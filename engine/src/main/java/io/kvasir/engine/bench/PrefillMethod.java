package io.kvasir.engine.bench;

import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.AttentionPlanner;
import io.kvasir.engine.model.DualChunkAttentionConfig;
import io.kvasir.engine.runtime.InferenceEngine;

/**
 * One way to prefill a prompt, under the name the benchmark reports (dense, a_shape, vertical_slash, …): the planner
 * that chooses each layer's plan for every chunk, and the model variant it needs.
 */
public interface PrefillMethod {

    String name();

    /**
     * Chooses every layer's plan from the chunk's queries and keys; a null plan is dense attention. Always non-null, so
     * the engine's own sparse configuration (a model folder's sparse config or Seer gates) never stands in for it.
     */
    AttentionPlanner planner();

    /** The dual-chunk attention the model must run with for this method; null: the checkpoint as it is. */
    default DualChunkAttentionConfig dualChunk() {
        return null;
    }

    /** Work done once, before anything is timed, on the engine the method will run on (Seer fits its gates here). */
    default void prepare(InferenceEngine engine) {
    }

    /** A method whose planner estimates each layer's plan from that layer's queries and keys. */
    static PrefillMethod withPlanner(String name, AttentionPlanner planner) {
        return new Planned(name, planner);
    }

    /** A method whose every layer attends by one fixed plan; null is dense attention. */
    static PrefillMethod withPlan(String name, AttentionPlan plan) {
        return new Planned(name, (layer, inputs) -> plan);
    }

    record Planned(String name, AttentionPlanner planner) implements PrefillMethod {
    }
}
