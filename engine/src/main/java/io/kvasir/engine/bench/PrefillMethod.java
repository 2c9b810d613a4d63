package io.kvasir.engine.bench;

import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.AttentionPlanner;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.Sequence;

/** One way to prefill a prompt, under the name the benchmark reports (dense, a_shape, vertical_slash, …). */
public interface PrefillMethod {

    String name();

    /** Prefills {@code sequence} on {@code engine}; returns the logits its first token was sampled from. */
    float[] prefill(InferenceEngine engine, Sequence sequence);

    /** A method whose planner estimates each layer's plan from that layer's queries and keys. */
    static PrefillMethod withPlanner(String name, AttentionPlanner planner) {
        return new PrefillMethod() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public float[] prefill(InferenceEngine engine, Sequence sequence) {
                return engine.prefill(sequence, planner);
            }
        };
    }

    /** A method whose every layer attends by one fixed plan; null is dense attention. */
    static PrefillMethod withPlan(String name, AttentionPlan plan) {
        return new PrefillMethod() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public float[] prefill(InferenceEngine engine, Sequence sequence) {
                return engine.prefill(sequence, plan);
            }
        };
    }
}
