package io.kvasir.engine.tensor;

/** A matrix whose one-token product can be split by rows over the pool, for jobs that combine several matrices. */
interface RowRangeProduct {

    /** Work items start on multiples of this many rows. */
    int rowAlignment();

    /** {@code out[outOffset + r] = W[r] . x[xOffset ..]} for rows in [from, to); {@code from} is aligned. */
    void gemv(float[] x, int xOffset, float[] out, int outOffset, int from, int to);
}
