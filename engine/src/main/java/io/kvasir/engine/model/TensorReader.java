package io.kvasir.engine.model;

import io.kvasir.engine.model.format.TensorSource;
import io.kvasir.engine.tensor.WeightMatrix;

import java.io.IOException;

/** Reads a checkpoint's tensors, checking each against the shape the configuration implies. */
public interface TensorReader {

    TensorSource source();

    WeightOptions options();

    /** The matrix as stored (memory-mapped, not converted). */
    WeightMatrix raw(String name, int rows, int cols) throws IOException;

    /** The matrix in compute form: as stored, or a Q8_0 copy when the options ask for it. */
    WeightMatrix matrix(String name, int rows, int cols) throws IOException;

    float[] vector(String name, int length) throws IOException;
}
