package io.kvasir.engine.tensor;

/** Splits the rows of a matrix-vector product into pool work items, in multiples of four rows. */
final class RowChunks {

    /** Work items per thread: taking one costs an atomic increment, and many small ones keep both cores busy to the end. */
    private static final int ITEMS_PER_THREAD = 16;
    private static final int MIN_ROWS = 16;

    interface Body {
        void run(int from, int to);
    }

    private RowChunks() {
    }

    static void run(int rows, Body body) {
        int perItem = Math.max(MIN_ROWS, ceilDiv(rows, Parallel.threads() * ITEMS_PER_THREAD));
        int size = (perItem + 3) & ~3;
        int items = ceilDiv(rows, size);
        Parallel.forEach(items, i -> body.run(i * size, Math.min(rows, (i + 1) * size)));
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
