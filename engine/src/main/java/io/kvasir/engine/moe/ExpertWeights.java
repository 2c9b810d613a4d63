package io.kvasir.engine.moe;

import io.kvasir.engine.model.DenseFeedForward;

import java.lang.foreign.Arena;

/** One expert in compute form, owning the memory of its converted matrices. */
record ExpertWeights(DenseFeedForward ffn, Arena memory) implements AutoCloseable {

    @Override
    public void close() {
        memory.close();
    }
}
