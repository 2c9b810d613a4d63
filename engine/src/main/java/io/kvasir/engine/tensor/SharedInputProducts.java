package io.kvasir.engine.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Several matrices applied to the same input (q, k and v; gate and up). For one token their rows go to the pool as
 * one job: each product is short, and a job ends with a barrier at which a core that finished early waits, so one
 * barrier instead of three is less idle time per layer. Batches go through each matrix's own kernel.
 */
public final class SharedInputProducts {

    private final WeightMatrix[] matrices;
    /** For the one-token job: work item i covers rows [itemFrom[i], itemTo[i]) of matrices[itemMatrix[i]]. */
    private final int[] itemMatrix;
    private final int[] itemFrom;
    private final int[] itemTo;
    /** Whether the one-token job applies: every matrix has a row-range kernel to hand rows to. */
    private final boolean rowRanges;

    public SharedInputProducts(WeightMatrix... matrices) {
        if (matrices.length == 0) {
            throw new IllegalArgumentException("no matrices");
        }
        for (WeightMatrix m : matrices) {
            if (m.cols() != matrices[0].cols()) {
                throw new IllegalArgumentException("matrices sharing an input need equal widths: "
                        + m.cols() + " vs " + matrices[0].cols());
            }
        }
        this.matrices = matrices.clone();
        this.rowRanges = Arrays.stream(matrices).allMatch(m -> m instanceof RowRangeProduct);
        List<int[]> items = new ArrayList<>();
        for (int mi = 0; rowRanges && mi < matrices.length; mi++) {
            int rows = matrices[mi].rows();
            int size = RowChunks.itemRows(rows, ((RowRangeProduct) matrices[mi]).rowAlignment());
            for (int from = 0; from < rows; from += size) {
                items.add(new int[] {mi, from, Math.min(rows, from + size)});
            }
        }
        itemMatrix = items.stream().mapToInt(item -> item[0]).toArray();
        itemFrom = items.stream().mapToInt(item -> item[1]).toArray();
        itemTo = items.stream().mapToInt(item -> item[2]).toArray();
    }

    /** {@code outs[m] = matrices[m] · in} for {@code tokens} rows of {@code in}, each output as {@link WeightMatrix#multiply}. */
    public void multiply(float[] in, float[][] outs, int tokens) {
        if (outs.length != matrices.length) {
            throw new IllegalArgumentException(outs.length + " outputs for " + matrices.length + " matrices");
        }
        if (tokens != 1 || !rowRanges) {
            for (int m = 0; m < matrices.length; m++) {
                matrices[m].multiply(in, outs[m], tokens);
            }
            return;
        }
        int cols = matrices[0].cols();
        Objects.checkFromIndexSize(0, cols, in.length);
        for (int m = 0; m < matrices.length; m++) {
            Objects.checkFromIndexSize(0, matrices[m].rows(), outs[m].length);
        }
        Parallel.forEach(itemMatrix.length, i -> ((RowRangeProduct) matrices[itemMatrix[i]])
                .gemv(in, 0, outs[itemMatrix[i]], 0, itemFrom[i], itemTo[i]));
    }
}
