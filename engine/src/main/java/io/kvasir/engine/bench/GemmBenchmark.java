package io.kvasir.engine.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.tensor.DType;
import io.kvasir.engine.tensor.WeightMatrices;
import io.kvasir.engine.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Matrix-product throughput per weight dtype: prefill (512 tokens), batched decode (8 and 32) and decode (1) at
 * 2048 x 2048, as GFLOP/s and as a fraction of the measured FMA peak. Decode cases also report the weight bytes
 * streamed per second against the measured memory bandwidth, since that is their limit; they cycle through
 * enough copies of the matrix to exceed the last-level cache.
 */
public final class GemmBenchmark {

    record Case(int m, int n, int k, DType weights) {
    }

    static final List<Case> CASES = List.of(
            new Case(512, 2048, 2048, DType.F32),
            new Case(512, 2048, 2048, DType.BF16),
            new Case(512, 2048, 2048, DType.F16),
            new Case(512, 2048, 2048, DType.Q8_0),
            new Case(8, 2048, 2048, DType.BF16),
            new Case(32, 2048, 2048, DType.BF16),
            new Case(1, 2048, 2048, DType.F32),
            new Case(1, 2048, 2048, DType.BF16),
            new Case(1, 2048, 2048, DType.F16),
            new Case(1, 2048, 2048, DType.Q8_0));

    /** Decode working set: far above the 32 MiB last-level cache, so weights come from DRAM as in a real model. */
    private static final long DECODE_WORKING_SET = 256L << 20;
    private static final int DECODE_MAX_TOKENS = 32;

    private GemmBenchmark() {
    }

    /** {@code {"suite":"gemm","peak_gflops":P,"bandwidth_gbs":B,"results":[...]}}. */
    public static ObjectNode run() {
        return run(CASES);
    }

    static ObjectNode run(List<Case> cases) {
        double peak = PeakFlops.measureGflops();
        double bandwidth = MemoryBandwidth.measureGbs();
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("suite", "gemm");
        root.put("peak_gflops", round(peak));
        root.put("bandwidth_gbs", round(bandwidth));
        ArrayNode results = root.putArray("results");
        for (Case c : cases) {
            results.add(measure(c, peak, bandwidth));
        }
        return root;
    }

    private static ObjectNode measure(Case c, double peak, double bandwidth) {
        try (Arena arena = Arena.ofShared()) {
            long matrixBytes = c.weights().bytesFor((long) c.n() * c.k());
            int copies = c.m() <= DECODE_MAX_TOKENS ? (int) Math.max(1, DECODE_WORKING_SET / matrixBytes) : 1;
            WeightMatrix[] matrices = copies(c, copies, arena);
            float[] in = new float[c.m() * c.k()];
            SplittableRandom random = new SplittableRandom(42);
            for (int i = 0; i < in.length; i++) {
                in[i] = (float) (random.nextDouble() * 2 - 1);
            }
            float[] out = new float[c.m() * c.n()];
            int[] next = {0};
            double seconds = Timing.medianSeconds(() -> {
                matrices[next[0]].multiply(in, out, c.m());
                next[0] = (next[0] + 1) % copies;
            });
            double gflops = 2.0 * c.m() * c.n() * c.k() / seconds / 1e9;
            ObjectNode result = new ObjectMapper().createObjectNode();
            result.put("m", c.m());
            result.put("n", c.n());
            result.put("k", c.k());
            result.put("weights", c.weights().name().toLowerCase(Locale.ROOT));
            result.put("gflops", round(gflops));
            result.put("fraction_of_peak", round(gflops / peak));
            if (c.m() <= DECODE_MAX_TOKENS) {
                double gbs = matrixBytes / seconds / 1e9;
                result.put("weight_gbs", round(gbs));
                result.put("fraction_of_bandwidth", round(gbs / bandwidth));
            }
            return result;
        }
    }

    private static WeightMatrix[] copies(Case c, int copies, Arena arena) {
        WeightMatrix[] matrices = new WeightMatrix[copies];
        if (c.weights() == DType.Q8_0) {
            // Q8_0 comes from load-time quantization of F32, as it does for safetensors models.
            try (Arena scratch = Arena.ofShared()) {
                WeightMatrix f32 = WeightMatrices.wrap(DType.F32, randomWeights(DType.F32, c.n(), c.k(), scratch), c.n(), c.k());
                for (int i = 0; i < copies; i++) {
                    matrices[i] = WeightMatrices.quantizeQ8_0(f32, arena);
                }
            }
            return matrices;
        }
        // As a model loads them: copied into placed memory, BF16 re-laid in tiles (WeightMatrices.resident).
        try (Arena scratch = Arena.ofShared()) {
            WeightMatrix stored = WeightMatrices.wrap(c.weights(), randomWeights(c.weights(), c.n(), c.k(), scratch),
                    c.n(), c.k());
            for (int i = 0; i < copies; i++) {
                matrices[i] = WeightMatrices.resident(stored, arena);
            }
        }
        return matrices;
    }

    /** Uniform values in [-1, 1) stored as {@code dtype} (F32, BF16 or F16). */
    private static MemorySegment randomWeights(DType dtype, int rows, int cols, Arena arena) {
        long count = (long) rows * cols;
        SplittableRandom random = new SplittableRandom(7);
        ValueLayout.OfShort half = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        MemorySegment data = arena.allocate(dtype.bytesFor(count), 64);
        for (long i = 0; i < count; i++) {
            float x = (float) (random.nextDouble() * 2 - 1);
            switch (dtype) {
                case F32 -> data.set(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4 * i, x);
                case BF16 -> data.set(half, 2 * i, (short) (Float.floatToRawIntBits(x) >>> 16));
                case F16 -> data.set(half, 2 * i, Float.floatToFloat16(x));
                case Q8_0 -> throw new IllegalArgumentException("Q8_0 is quantized from F32");
            }
        }
        return data;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    public static void main(String[] args) throws Exception {
        System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(run()));
    }
}
