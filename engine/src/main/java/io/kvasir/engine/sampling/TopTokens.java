package io.kvasir.engine.sampling;

import java.util.Arrays;

/**
 * The k largest entries of a logit row without sorting the row: a k-entry min-heap, O(V log k).
 * Order is by value, then by lower id, so results are deterministic under ties.
 */
final class TopTokens {

    private TopTokens() {}

    /** Ids (relative to {@code offset}) of the k largest values, largest first. */
    static int[] largest(float[] values, int offset, int size, int k) {
        int n = Math.min(k, size);
        int[] heap = new int[n];
        int count = 0;
        for (int id = 0; id < size; id++) {
            if (count < n) {
                heap[count] = id;
                siftUp(values, offset, heap, count++);
            } else if (before(values, offset, id, heap[0])) {
                heap[0] = id;
                siftDown(values, offset, heap, n);
            }
        }
        Integer[] boxed = Arrays.stream(heap).boxed().toArray(Integer[]::new);
        Arrays.sort(boxed, (a, b) -> before(values, offset, a, b) ? -1 : (a.equals(b) ? 0 : 1));
        return Arrays.stream(boxed).mapToInt(Integer::intValue).toArray();
    }

    /** Whether token a ranks before token b: larger value, or equal value and lower id. */
    static boolean before(float[] values, int offset, int a, int b) {
        float va = values[offset + a];
        float vb = values[offset + b];
        return va > vb || (va == vb && a < b);
    }

    /** The heap's root is the entry ranked last, the first to be evicted. */
    private static void siftUp(float[] values, int offset, int[] heap, int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!before(values, offset, heap[parent], heap[i])) {
                return;
            }
            swap(heap, i, parent);
            i = parent;
        }
    }

    private static void siftDown(float[] values, int offset, int[] heap, int size) {
        int i = 0;
        while (true) {
            int left = 2 * i + 1;
            int worst = i;
            if (left < size && before(values, offset, heap[worst], heap[left])) {
                worst = left;
            }
            if (left + 1 < size && before(values, offset, heap[worst], heap[left + 1])) {
                worst = left + 1;
            }
            if (worst == i) {
                return;
            }
            swap(heap, i, worst);
            i = worst;
        }
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
