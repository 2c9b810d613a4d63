package io.kvasir.engine.cli;

import java.util.PriorityQueue;

/** Indices of the K largest values, largest first (ties to the lower index). */
final class TopK {

    private TopK() {
    }

    static int[] indices(float[] values, int k) {
        k = Math.min(k, values.length);
        PriorityQueue<Integer> heap = new PriorityQueue<>(k + 1,
                (a, b) -> values[a] != values[b] ? Float.compare(values[a], values[b]) : Integer.compare(b, a));
        for (int i = 0; i < values.length; i++) {
            heap.add(i);
            if (heap.size() > k) {
                heap.poll();
            }
        }
        int[] out = new int[heap.size()];
        for (int i = out.length - 1; i >= 0; i--) {
            out[i] = heap.poll();
        }
        return out;
    }
}
