package io.kvasir.engine.gpu;

import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.PagedAttention;
import io.kvasir.engine.kv.BlockTable;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.KvPrecision;

import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * GPU-vs-CPU checks of paged attention: the same paged cache (blocks interleaved with another sequence's, so the
 * block table matters), the same queries and plan through {@link PagedAttention} and {@link GpuPagedAttention}.
 * Outputs are averages of O(1) values and the log-sum-exps O(10); both kernels are F32 online softmax that differ
 * in summation order only, so both are held to 1e-4 absolute.
 */
public final class AttentionChecks {

    static final double TOLERANCE = 1e-4;

    private AttentionChecks() {
    }

    /** The cases the self-test and the tests run: prefill, a later chunk, BF16 cache, window, sparse, head dim 128. */
    public static List<Supplier<List<Comparison>>> cases() {
        return List.of(
                () -> compare("dense prefill 16/4x64", 16, 4, 64, KvPrecision.F32, 200, 0, 0, AttentionPlan.dense(0)),
                () -> compare("dense chunk at 300, bf16 kv", 16, 4, 64, KvPrecision.BF16, 128, 300, 0, AttentionPlan.dense(0)),
                () -> compare("sliding window 100", 16, 4, 64, KvPrecision.F32, 200, 0, 100, AttentionPlan.dense(100)),
                () -> compare("vertical-slash plan", 16, 4, 64, KvPrecision.F32, 700, 0, 0,
                        new VerticalSlashPlan(16, 700, 60, 230, 7)),
                () -> compare("dense 8/2x128 chunk at 70", 8, 2, 128, KvPrecision.F32, 130, 70, 0, AttentionPlan.dense(0)));
    }

    /** {@code queries} rows from {@code firstPosition} over a cache holding every position up to the last query. */
    public static List<Comparison> compare(String name, int numHeads, int numKvHeads, int headDim, KvPrecision precision,
                                           int queries, int firstPosition, int window, AttentionPlan plan) {
        int length = firstPosition + queries;
        int seqBlocks = GpuKernels.ceilDiv(length, KvCache.BLOCK_TOKENS);
        KvCache cache = new KvCache(1, numKvHeads, headDim, 2 * seqBlocks, precision);
        BlockTable table = new BlockTable(cache);
        BlockTable other = new BlockTable(cache);
        Random rnd = new Random(name.hashCode());
        float[] k = new float[headDim];
        float[] v = new float[headDim];
        for (int pos = 0; pos < length; pos++) {
            if (pos % KvCache.BLOCK_TOKENS == 0) {
                other.append(KvCache.BLOCK_TOKENS);   // the neighbour takes every other physical block
            }
            table.append(1);
            for (int h = 0; h < numKvHeads; h++) {
                fill(rnd, k);
                fill(rnd, v);
                cache.layer(0).write(table.physicalBlock(pos / KvCache.BLOCK_TOKENS), pos % KvCache.BLOCK_TOKENS, h, k, 0, v, 0);
            }
        }
        float[] q = DenseKernelChecks.gaussian(rnd, queries * numHeads * headDim, 1);

        float[] expected = new float[q.length];
        float[] expectedLse = new float[queries * numHeads];
        PagedAttention cpu = new PagedAttention(numHeads, numKvHeads, headDim);
        for (int h = 0; h < numHeads; h++) {
            for (int r = 0; r < queries; r += PagedAttention.QUERY_BLOCK) {
                cpu.attend(cache.layer(0), table, plan, window, q, 0, firstPosition, h, r,
                        Math.min(queries, r + PagedAttention.QUERY_BLOCK), expected, 0, expectedLse);
            }
        }
        int[] blockTable = new int[table.blockCount()];
        for (int b = 0; b < blockTable.length; b++) {
            blockTable[b] = table.physicalBlock(b);
        }
        float[] actual;
        float[] actualLse;
        try (GpuKvLayer kv = GpuKvLayer.upload(cache.layer(0), cache.pool().capacity(), numKvHeads, headDim);
             DeviceBuffer tableBuffer = DeviceBuffer.of(blockTable);
             GpuAttentionPlan.Device devicePlan = GpuAttentionPlan.of(plan, numHeads, queries, firstPosition).upload();
             DeviceBuffer qb = DeviceBuffer.of(q);
             DeviceBuffer out = DeviceBuffer.allocate((long) q.length * Float.BYTES);
             DeviceBuffer lse = DeviceBuffer.allocate((long) expectedLse.length * Float.BYTES)) {
            new GpuPagedAttention(numHeads, numKvHeads, headDim)
                    .attend(kv, tableBuffer, devicePlan, window, qb, queries, firstPosition, out, lse);
            actual = out.toFloats();
            actualLse = lse.toFloats();
        }
        return List.of(
                new Comparison("paged_attention " + name, "|err| of outputs", maxAbsError(actual, expected), TOLERANCE),
                new Comparison("paged_attention " + name, "|err| of log-sum-exp", maxAbsError(actualLse, expectedLse), TOLERANCE));
    }

    private static void fill(Random rnd, float[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
    }

    /** Infinite values (rows that see no key) must match exactly; NaN fails. */
    private static double maxAbsError(float[] actual, float[] expected) {
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = actual[i] == expected[i] ? 0 : Math.abs(actual[i] - expected[i]);
            if (Double.isNaN(err)) {
                return Double.NaN;
            }
            worst = Math.max(worst, err);
        }
        return worst;
    }
}
