package io.kvasir.engine.tensor;

/** Splits the rows of a matrix-vector product into pool work items, in multiples of the kernel's row alignment. */
final class RowChunks {

    /**
     * Work items per thread: several, so a core that finishes early takes over work instead of waiting at the end,
     * but not many, because each item is a new stream the prefetchers must pick up (with weights in placed memory,
     * bench-model decode measured 124 tokens/s at 16 items of at least 16 rows, 140 at 4 of at least 32).
     */
    private static final int ITEMS_PER_THREAD = 4;
    private static final int MIN_ROWS = 32;

    interface Body {
        void run(int from, int to);
    }

    private RowChunks() {
    }

    static void run(int rows, int alignment, Body body) {
        int size = itemRows(rows, alignment);
        Parallel.forEach(ceilDiv(rows, size), i -> body.run(i * size, Math.min(rows, (i + 1) * size)));
    }

    /** Rows per work item for a product of {@code rows} rows, a multiple of {@code alignment}. */
    static int itemRows(int rows, int alignment) {
        int perItem = Math.max(MIN_ROWS, ceilDiv(rows, Parallel.threads() * ITEMS_PER_THREAD));
        return ceilDiv(perItem, alignment) * alignment;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
