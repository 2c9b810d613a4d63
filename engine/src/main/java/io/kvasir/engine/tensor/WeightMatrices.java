package io.kvasir.engine.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Creates {@link WeightMatrix} views over stored weights, and converts them at load time. */
public final class WeightMatrices {

    private WeightMatrices() {
    }

    /**
     * Views {@code data} (little-endian, row-major, any alignment — typically a memory-mapped file region) as a
     * {@code rows x cols} matrix of {@code dtype}. The segment is read in place, never copied; it must stay alive
     * as long as the matrix is used.
     */
    public static WeightMatrix wrap(DType dtype, MemorySegment data, int rows, int cols) {
        return switch (dtype) {
            case F32 -> new F32Matrix(data, rows, cols);
            case BF16 -> new Bf16Matrix(data, rows, cols);
            case F16 -> new F16Matrix(data, rows, cols);
            case Q8_0 -> new Q8Matrix(data, rows, cols);
        };
    }

    /** An F32 matrix over a copy of {@code values} (row-major, {@code rows x cols}); for tests and small tensors. */
    public static WeightMatrix ofFloats(float[] values, int rows, int cols) {
        if (values.length != (long) rows * cols) {
            throw new IllegalArgumentException(values.length + " values for a " + rows + "x" + cols + " matrix");
        }
        MemorySegment data = Arena.ofAuto().allocate((long) values.length * Float.BYTES, 64);
        MemorySegment.copy(values, 0, data, WideningLoads.FLOAT_LE, 0, values.length);
        return new F32Matrix(data, rows, cols);
    }

    /**
     * Quantizes {@code source} to Q8_0 (GGML's rule, see {@link DType#Q8_0}) into memory from {@code arena}, which
     * must outlive the result. The columns must be a multiple of 32.
     */
    public static WeightMatrix quantizeQ8_0(WeightMatrix source, Arena arena) {
        int rows = source.rows();
        int cols = source.cols();
        long rowBytes = DType.Q8_0.bytesFor(cols);
        MemorySegment data = WeightPlacement.allocate(arena, rowBytes * rows);
        int chunk = 64;
        Parallel.forEach((rows + chunk - 1) / chunk, c -> {
            float[] row = new float[cols];
            for (int r = c * chunk; r < Math.min(rows, (c + 1) * chunk); r++) {
                source.copyRow(r, row, 0);
                Q8Quantizer.quantizeRow(row, cols, data, r * rowBytes);
            }
        });
        return new Q8Matrix(data, rows, cols);
    }

    /**
     * A copy of {@code source} in memory from {@code arena} (which must outlive it), placed where the kernels stream it
     * fastest ({@link WeightPlacement}): BF16 weights re-laid in tiles ({@link Bf16PanelMatrix}), other dtypes as the
     * same bytes. Matrices not backed by a segment are returned as they are.
     */
    public static WeightMatrix resident(WeightMatrix source, Arena arena) {
        if (source instanceof Bf16Matrix bf16) {
            return Bf16PanelMatrix.of(bf16, arena);
        }
        return copy(source, arena);
    }

    /**
     * The same bytes as {@code source}, row-major, copied into placed memory from {@code arena}; for tables read a row
     * at a time (embeddings). Copying matters beyond placement: the compiler specializes every vector load for the
     * kinds of memory segment it has seen, and vector reads from a memory-mapped file anywhere in the process made
     * the batched kernels over native memory up to 1.5x slower (bench model, 32-sequence decode: 770 against 1070
     * tokens/s with the embedding table read from the mapped checkpoint or from a copy).
     */
    public static WeightMatrix copy(WeightMatrix source, Arena arena) {
        if (!(source instanceof SegmentMatrix m)) {
            return source;
        }
        long bytes = m.rowBytes * m.rows;
        MemorySegment copy = WeightPlacement.allocate(arena, bytes);
        copy.copyFrom(m.data.asSlice(0, bytes));
        return wrap(m.dtype(), copy, m.rows, m.cols);
    }
}
