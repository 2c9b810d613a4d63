package io.kvasir.engine.attention.sparse;

import io.kvasir.engine.attention.AttentionInputs;
import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.DualChunkAttention;
import io.kvasir.engine.attention.KeySpans;
import io.kvasir.engine.attention.PagedAttention;
import io.kvasir.engine.kv.BlockTable;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.KvPrecision;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dual-chunk attention plans on the kernel against float64: each key is scored with the query version of its region
 * (own L-chunk, previous, earlier), all visible keys share one softmax, and with a sparse plan only the plan's keys
 * are visible — the vertical-slash estimate itself ranking the three regions jointly. GQA, a ragged length, L = 48
 * (not a multiple of the 64-row query blocks) and chunked prefill. Tolerance 1e-4 as SparsePlansTest.
 */
class DualChunkSparseTest {

    private static final int HEADS = 4, KV_HEADS = 2, HEAD_DIM = 16, L = 48;

    @ParameterizedTest(name = "sparse {0}: {1} tokens in chunks of {2}")
    @CsvSource({"false, 300, 300", "true, 700, 250", "true, 913, 913"})
    void kernelEqualsDualChunkAttentionMaskedToThePlan(boolean sparse, int total, int chunk) {
        Random random = new Random(29);
        float[][] q = new float[3][];
        for (int v = 0; v < 3; v++) {
            q[v] = gaussian(random, total * HEADS * HEAD_DIM);
        }
        float[] k = gaussian(random, total * KV_HEADS * HEAD_DIM), val = gaussian(random, total * KV_HEADS * HEAD_DIM);
        KvCache cache = new KvCache(1, KV_HEADS, HEAD_DIM, 32, KvPrecision.F32);
        BlockTable table = new BlockTable(cache);
        PagedAttention kernel = new PagedAttention(HEADS, KV_HEADS, HEAD_DIM);
        DualChunkAttention dca = new DualChunkAttention(kernel, HEADS, HEAD_DIM, L);
        SparsePlanner planner = new SparsePlanner(SparseAttentionConfig.uniform(PatternSpec.verticalSlash(30, 50)), 0);
        long visited = 0, causal = 0;
        for (int from = 0; from < total; from += chunk) {
            int rows = Math.min(chunk, total - from);
            table.append(rows);
            for (int pos = from; pos < from + rows; pos++) {
                for (int h = 0; h < KV_HEADS; h++) {
                    int at = (pos * KV_HEADS + h) * HEAD_DIM;
                    cache.layer(0).write(table.physicalBlock(pos / 64), pos % 64, h, k, at, val, at);
                }
            }
            float[][] chunkQ = new float[3][];
            for (int v = 0; v < 3; v++) {
                chunkQ[v] = Arrays.copyOfRange(q[v], from * HEADS * HEAD_DIM, (from + rows) * HEADS * HEAD_DIM);
            }
            AttentionInputs in = new AttentionInputs(cache.layer(0), table, chunkQ[0], 0, rows, from, HEADS, KV_HEADS,
                    HEAD_DIM, 0, new float[][]{chunkQ[1], chunkQ[2]}, L);
            AttentionPlan plan = sparse ? planner.plan(0, in) : null;
            float[] out = new float[chunkQ[0].length];
            float[][] parts = new float[3][out.length], lse = new float[3][rows * HEADS];
            for (int head = 0; head < HEADS; head++) {
                for (int start = 0; start < rows; start += 64) {
                    int end = Math.min(rows, start + 64);
                    dca.attend(cache.layer(0), table, chunkQ, 0, from, head, start, end, plan, out, parts, lse);
                    KeySpans spans = plan == null ? KeySpans.range(0, from + end) : plan.spans(head, from + start, from + end - 1);
                    for (int r = start; r < end; r++) {
                        int pos = from + r;
                        boolean[] mask = SparsePlansTest.visible(spans, pos);
                        double[] expected = reference(q, k, val, pos, head, mask);
                        for (int d = 0; d < HEAD_DIM; d++) {
                            assertEquals(expected[d], out[(r * HEADS + head) * HEAD_DIM + d], 1e-4,
                                    "row " + pos + " head " + head + " dim " + d);
                        }
                        for (boolean b : mask) {
                            visited += b ? 1 : 0;
                        }
                        causal += pos + 1;
                    }
                }
            }
        }
        if (sparse) {
            assertTrue(visited < 0.8 * causal, "visited " + visited + " of " + causal + ": not sparse");
        }
    }

    private static double[] reference(float[][] q, float[] k, float[] v, int pos, int head, boolean[] mask) {
        int kvHead = head / (HEADS / KV_HEADS);
        double[] scores = new double[pos + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j <= pos; j++) {
            if (!mask[j]) {
                continue;
            }
            int gap = pos / L - j / L;
            float[] query = q[gap == 0 ? 0 : gap == 1 ? 1 : 2];
            double s = 0;
            for (int d = 0; d < HEAD_DIM; d++) {
                s += (double) query[(pos * HEADS + head) * HEAD_DIM + d] * k[(j * KV_HEADS + kvHead) * HEAD_DIM + d];
            }
            scores[j] = s / Math.sqrt(HEAD_DIM);
            max = Math.max(max, scores[j]);
        }
        double sum = 0;
        double[] out = new double[HEAD_DIM];
        for (int j = 0; j <= pos; j++) {
            if (mask[j]) {
                double p = Math.exp(scores[j] - max);
                sum += p;
                for (int d = 0; d < HEAD_DIM; d++) {
                    out[d] += p * v[(j * KV_HEADS + kvHead) * HEAD_DIM + d];
                }
            }
        }
        for (int d = 0; d < HEAD_DIM; d++) {
            out[d] /= sum;
        }
        return out;
    }

    private static float[] gaussian(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }
}
