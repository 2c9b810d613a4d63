package io.kvasir.engine.moe;

import io.kvasir.engine.model.DenseFeedForward;
import io.kvasir.engine.model.TensorReader;
import io.kvasir.engine.tensor.DType;
import io.kvasir.engine.tensor.WeightMatrices;
import io.kvasir.engine.tensor.WeightMatrix;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Converts one expert of one layer from the memory-mapped checkpoint into compute form (F32, or Q8_0 when weights
 * are quantized) in memory of its own, so evicting it frees that memory. Thread-safe: prefetch runs it off the
 * forward thread.
 */
final class ExpertLoader {

    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final TensorReader reader;
    private final ExpertNaming naming;
    private final int layer, hidden, width;

    ExpertLoader(TensorReader reader, ExpertNaming naming, int layer, int hidden, int width) {
        this.reader = reader;
        this.naming = naming;
        this.layer = layer;
        this.hidden = hidden;
        this.width = width;
    }

    /** Checks that every expert's tensors exist with the right shape, so a bad checkpoint fails at load time. */
    void validate(int experts) throws IOException {
        for (int e = 0; e < experts; e++) {
            reader.raw(naming.gate(layer, e), width, hidden);
            reader.raw(naming.up(layer, e), width, hidden);
            reader.raw(naming.down(layer, e), hidden, width);
        }
    }

    ExpertWeights load(int expert) {
        Arena arena = Arena.ofShared();
        try {
            return new ExpertWeights(new DenseFeedForward(
                    convert(naming.gate(layer, expert), width, hidden, arena),
                    convert(naming.up(layer, expert), width, hidden, arena),
                    convert(naming.down(layer, expert), hidden, width, arena)), arena);
        } catch (IOException e) {
            arena.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private WeightMatrix convert(String name, int rows, int cols, Arena arena) throws IOException {
        WeightMatrix stored = reader.raw(name, rows, cols);
        if (reader.options().quantizeQ8_0() && cols % DType.Q8_0.blockSize() == 0) {
            return WeightMatrices.quantizeQ8_0(stored, arena);
        }
        // F32 copy: the stored BF16/F16 would be widened on every use otherwise, and the copy is what eviction frees.
        MemorySegment data = arena.allocate((long) rows * cols * Float.BYTES, 64);
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            stored.copyRow(r, row, 0);
            MemorySegment.copy(row, 0, data, FLOAT_LE, (long) r * cols * Float.BYTES, cols);
        }
        return WeightMatrices.wrap(DType.F32, data, rows, cols);
    }
}
