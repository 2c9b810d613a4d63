package io.kvasir.engine.tensor;

/**
 * Per-thread work buffers for the batched kernels, grown on demand and kept, so that steady-state matrix products
 * allocate nothing. Pool threads are long-lived, so each holds at most a few panels' worth of floats.
 */
final class Scratch {

    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

    private float[] weights = new float[0];
    private float[] panel = new float[0];
    private float[] accumulators = new float[0];
    private float[] activations = new float[0];
    private int[] columnOffsets = new int[0];
    private float[] sharedInput = new float[0];
    private float[] sums = new float[0];

    static Scratch get() {
        return LOCAL.get();
    }

    /** Decoded weight rows (row-major). */
    float[] weights(int size) {
        if (weights.length < size) {
            weights = new float[size];
        }
        return weights;
    }

    /** A packed, column-major weight panel for the GEMM micro-kernel. */
    float[] panel(int size) {
        if (panel.length < size) {
            panel = new float[size];
        }
        return panel;
    }

    /** Output tile accumulated over the k blocks. */
    float[] accumulators(int size) {
        if (accumulators.length < size) {
            accumulators = new float[size];
        }
        return accumulators;
    }

    /** Gather indices. */
    int[] columnOffsets(int size) {
        if (columnOffsets.length < size) {
            columnOffsets = new int[size];
        }
        return columnOffsets;
    }

    /** Activation rows copied with zero padding. */
    float[] activations(int size) {
        if (activations.length < size) {
            activations = new float[size];
        }
        return activations;
    }

    /** Finished outputs of a tile, before they are copied to their rows. */
    float[] sums(int size) {
        if (sums.length < size) {
            sums = new float[size];
        }
        return sums;
    }

    /** Input rows prepared by the calling thread and read by every pool thread during one product. */
    float[] sharedInput(int size) {
        if (sharedInput.length < size) {
            sharedInput = new float[size];
        }
        return sharedInput;
    }
}
