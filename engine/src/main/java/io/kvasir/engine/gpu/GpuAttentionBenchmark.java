package io.kvasir.engine.gpu;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.PagedAttention;
import io.kvasir.engine.kv.KvCache;

import java.util.SplittableRandom;

/**
 * The GPU attention suite: one layer's prefill attention over a whole prompt (16 query heads, 4 KV heads, head
 * dim 64, F32 paged KV cache with shuffled blocks) at each length, dense and with a vertical-slash plan at
 * MInference's default budgets (1000 vertical, 6096 slash). Also one BF16 tensor-core matmul, against the BF16 peak.
 * <p>
 * FLOPs count the work the plan asks for: 4·headDim per visited (query, key) pair (QKᵀ and PV, 2 each), after the
 * causal mask; tiles the kernel computes beyond that are not counted. The attention kernel runs on F32 CUDA cores,
 * so its fraction is of the F32 peak ({@link DevicePeak} gives the formula).
 */
public final class GpuAttentionBenchmark {

    static final int HEADS = 16;
    static final int KV_HEADS = 4;
    static final int HEAD_DIM = 64;
    static final int VERTICAL = 1000;
    static final int SLASH = 6096;
    private static final int MATMUL_SIZE = 4096;

    private GpuAttentionBenchmark() {
    }

    public static ObjectNode run(int[] lengths) {
        CudaDevice device = Cuda.device();
        DeviceInfo info = device.info();
        DevicePeak peak = DevicePeak.of(info);
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("suite", "attention");
        root.put("device", "cuda");
        root.put("gpu", info.name());
        root.put("compute_capability", info.computeCapability());
        root.put("multiprocessors", info.multiprocessors());
        root.put("clock_mhz", info.clockKhz() / 1000);
        root.put("driver", info.driverVersion());
        putFinite(root, "peak_tflops_f32", peak.f32Tflops());
        putFinite(root, "peak_tflops_bf16", peak.bf16Tflops());
        root.put("peak_formula", "SMs x per-SM flops/clock (F32: 2 x FMA lanes; BF16: dense tensor) x max SM clock");
        root.put("flops_counted", "4 x head_dim per visited (query, key) pair after the causal mask");
        root.put("fraction_of_peak_basis", "attention: F32 peak (CUDA-core kernel); matmul: BF16 peak");
        ArrayNode results = root.putArray("results");
        for (int length : lengths) {
            measureLength(device, peak, length, results);
        }
        root.set("matmul", matmul(device, peak));
        return root;
    }

    private static void measureLength(CudaDevice device, DevicePeak peak, int length, ArrayNode results) {
        SplittableRandom rnd = new SplittableRandom(length);
        int blocks = GpuKernels.ceilDiv(length, KvCache.BLOCK_TOKENS);
        int[] table = shuffledBlocks(blocks, rnd);
        GpuAttentionPlan dense = GpuAttentionPlan.of(AttentionPlan.dense(0), HEADS, length, 0);
        GpuAttentionPlan sparse = GpuAttentionPlan.of(new VerticalSlashPlan(HEADS, length, VERTICAL, SLASH, length),
                HEADS, length, 0);
        GpuPagedAttention attention = new GpuPagedAttention(HEADS, KV_HEADS, HEAD_DIM);
        long kvElements = (long) blocks * KV_HEADS * KvCache.BLOCK_TOKENS * HEAD_DIM;
        long qElements = (long) length * HEADS * HEAD_DIM;
        try (GpuKvLayer kv = GpuKvLayer.of(uniform(rnd, kvElements), uniform(rnd, kvElements));
             DeviceBuffer tableBuffer = DeviceBuffer.of(table);
             DeviceBuffer q = DeviceBuffer.of(uniform(rnd, qElements));
             DeviceBuffer out = DeviceBuffer.allocate(qElements * Float.BYTES)) {
            double denseMs = 0;
            for (GpuAttentionPlan plan : new GpuAttentionPlan[]{dense, sparse}) {
                try (GpuAttentionPlan.Device onDevice = plan.upload()) {
                    double ms = GpuTiming.medianMillis(device,
                            () -> attention.attend(kv, tableBuffer, onDevice, 0, q, length, 0, out, null));
                    long pairs = visitedPairs(plan, length);
                    double tflops = 4.0 * HEAD_DIM * pairs / (ms * 1e-3) / 1e12;
                    boolean isDense = plan == dense;
                    denseMs = isDense ? ms : denseMs;
                    ObjectNode r = results.addObject();
                    r.put("method", isDense ? "dense" : "vertical_slash");
                    r.put("tokens", length);
                    r.put("heads", HEADS);
                    r.put("kv_heads", KV_HEADS);
                    r.put("head_dim", HEAD_DIM);
                    r.put("ms", ms);
                    r.put("speedup_vs_dense", denseMs / ms);
                    r.put("density", pairs / (double) visitedPairs(dense, length));
                    r.put("tflops", tflops);
                    putFinite(r, "fraction_of_peak", tflops / peak.f32Tflops());
                    System.err.println("[gpu-attention] " + r);
                }
            }
        }
    }

    private static ObjectNode matmul(CudaDevice device, DevicePeak peak) {
        int n = MATMUL_SIZE;
        SplittableRandom rnd = new SplittableRandom(n);
        short[] w = new short[n * n];
        for (int i = 0; i < w.length; i++) {
            w[i] = Bf16.round((float) (rnd.nextDouble() * 2 - 1));
        }
        ObjectNode r = new ObjectMapper().createObjectNode();
        try (DeviceBuffer wb = DeviceBuffer.of(w); DeviceBuffer x = DeviceBuffer.of(uniform(rnd, (long) n * n));
             DeviceBuffer out = DeviceBuffer.allocate((long) n * n * Float.BYTES)) {
            double ms = GpuTiming.medianMillis(device, () -> GpuKernels.matmulBf16(wb, x, out, n, n, n));
            double tflops = 2.0 * n * n * n / (ms * 1e-3) / 1e12;
            r.put("kernel", "matmul_bf16");
            r.put("tokens", n);
            r.put("rows", n);
            r.put("cols", n);
            r.put("ms", ms);
            r.put("tflops", tflops);
            putFinite(r, "fraction_of_peak", tflops / peak.bf16Tflops());
        }
        System.err.println("[gpu-attention] " + r);
        return r;
    }

    /** JSON has no NaN: an unknown peak (see {@link DevicePeak}) is written as null. */
    private static void putFinite(ObjectNode node, String field, double value) {
        if (Double.isFinite(value)) {
            node.put(field, value);
        } else {
            node.putNull(field);
        }
    }

    /** Physical blocks in random order, so the kernel's gathers through the table are not sequential. */
    private static int[] shuffledBlocks(int blocks, SplittableRandom rnd) {
        int[] table = new int[blocks];
        for (int i = 0; i < blocks; i++) {
            table[i] = i;
        }
        for (int i = blocks - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = table[i];
            table[i] = table[j];
            table[j] = t;
        }
        return table;
    }

    private static float[] uniform(SplittableRandom rnd, long n) {
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return v;
    }

    /** (query, key) pairs the plan makes visible after the causal mask, for a prefill from position 0. */
    static long visitedPairs(GpuAttentionPlan plan, int queries) {
        long pairs = 0;
        for (int p = 0; p < plan.numHeads() * plan.queryBlocks(); p++) {
            int first = (p % plan.queryBlocks()) * PagedAttention.QUERY_BLOCK;
            int last = Math.min(queries, first + PagedAttention.QUERY_BLOCK) - 1;
            for (int s = plan.spanOffsets()[p]; s < plan.spanOffsets()[p + 1]; s++) {
                int start = Math.max(0, plan.spanStarts()[s]);
                int end = plan.spanEnds()[s];
                for (int pos = first; pos <= last; pos++) {
                    pairs += Math.max(0, Math.min(end, pos + 1) - start);
                }
            }
            for (int e = plan.extraOffsets()[p]; e < plan.extraOffsets()[p + 1]; e++) {
                int c = plan.extraColumns()[e];
                pairs += c <= last ? last - Math.max(c, first) + 1 : 0;
            }
        }
        return pairs;
    }
}
