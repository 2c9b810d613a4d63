package io.kvasir.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {

    @Test
    void runsEveryIndexExactlyOnceIncludingNestedCalls() {
        int n = 37;
        AtomicIntegerArray outer = new AtomicIntegerArray(n);
        AtomicIntegerArray inner = new AtomicIntegerArray(n * 5);
        Parallel.forEach(n, i -> {
            outer.incrementAndGet(i);
            Parallel.forEach(5, j -> inner.incrementAndGet(i * 5 + j));
        });
        for (int i = 0; i < n; i++) {
            assertEquals(1, outer.get(i), "outer " + i);
        }
        for (int i = 0; i < n * 5; i++) {
            assertEquals(1, inner.get(i), "inner " + i);
        }
    }
}
