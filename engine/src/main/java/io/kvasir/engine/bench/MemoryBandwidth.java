package io.kvasir.engine.bench;

import io.kvasir.engine.tensor.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Streaming read bandwidth: every pool thread sums its share of 1 GiB of off-heap floats with vector loads. The
 * buffer is 30 times the last-level cache, so the reads come from DRAM; the first passes (page faults, frequency
 * ramp) are warm-up and not counted.
 */
public final class MemoryBandwidth {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final long BYTES = 1L << 30;

    private MemoryBandwidth() {
    }

    public static double measureGbs() {
        int threads = Parallel.threads();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment data = arena.allocate(BYTES, 4096);
            data.fill((byte) 1);
            long share = BYTES / threads / F.vectorByteSize() * F.vectorByteSize();
            float[] sink = new float[threads];
            double seconds = Timing.medianSeconds(
                    () -> Parallel.forEach(threads, t -> sink[t] += sum(data, t * share, share)));
            return share * threads / seconds / 1e9;
        }
    }

    private static float sum(MemorySegment data, long from, long length) {
        int step = F.vectorByteSize();
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        long end = from + length - 4L * step;
        long o = from;
        for (; o <= end; o += 4L * step) {
            a0 = a0.add(FloatVector.fromMemorySegment(F, data, o, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(F, data, o + step, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(F, data, o + 2L * step, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(F, data, o + 3L * step, ByteOrder.LITTLE_ENDIAN));
        }
        for (; o < from + length; o += step) {
            a0 = a0.add(FloatVector.fromMemorySegment(F, data, o, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
    }

    public static void main(String[] args) {
        System.out.printf("streaming read %.1f GB/s on %d threads%n", measureGbs(), Parallel.threads());
    }
}
