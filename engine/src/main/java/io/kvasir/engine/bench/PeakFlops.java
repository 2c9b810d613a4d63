package io.kvasir.engine.bench;

import io.kvasir.engine.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's F32 fused-multiply-add peak as the Vector API reaches it: every pool thread runs a loop of FMAs on
 * twelve independent register-resident accumulators (enough to cover FMA latency on two pipes), touching no memory.
 */
public final class PeakFlops {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int ITERATIONS = 2_000_000;
    private static final int ACCUMULATORS = 12;

    private PeakFlops() {
    }

    public static double measureGflops() {
        int threads = Parallel.threads();
        float[] sink = new float[threads];
        double seconds = Timing.medianSeconds(() -> Parallel.forEach(threads, t -> sink[t] += fmaLoop(t)));
        double flops = 2.0 * F.length() * ACCUMULATORS * ITERATIONS * threads;
        return flops / seconds / 1e9;
    }

    /** acc = acc * m + a keeps the values bounded (m just under 1) and every FMA dependent only on its own chain. */
    private static float fmaLoop(int seed) {
        FloatVector m = FloatVector.broadcast(F, 0.999999f);
        FloatVector a = FloatVector.broadcast(F, 1e-6f * (seed + 1));
        FloatVector c0 = a, c1 = a.mul(2), c2 = a.mul(3), c3 = a.mul(4), c4 = a.mul(5), c5 = a.mul(6);
        FloatVector c6 = a.mul(7), c7 = a.mul(8), c8 = a.mul(9), c9 = a.mul(10), c10 = a.mul(11), c11 = a.mul(12);
        for (int i = 0; i < ITERATIONS; i++) {
            c0 = c0.fma(m, a);
            c1 = c1.fma(m, a);
            c2 = c2.fma(m, a);
            c3 = c3.fma(m, a);
            c4 = c4.fma(m, a);
            c5 = c5.fma(m, a);
            c6 = c6.fma(m, a);
            c7 = c7.fma(m, a);
            c8 = c8.fma(m, a);
            c9 = c9.fma(m, a);
            c10 = c10.fma(m, a);
            c11 = c11.fma(m, a);
        }
        // The sum is consumed so the loop cannot be removed as dead code.
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }

    public static void main(String[] args) {
        System.out.printf("peak %.1f GFLOP/s on %d threads%n", measureGflops(), Parallel.threads());
    }
}
