package io.kvasir.engine.attention.sparse;

import io.kvasir.engine.attention.AttentionInputs;
import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.AttentionPlanner;
import io.kvasir.engine.attention.KeySpans;
import io.kvasir.engine.attention.PagedAttention;
import io.kvasir.engine.kv.BlockTable;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.KvPrecision;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each sparse method's plans executed by the kernel against a float64 softmax attention masked to the same plan:
 * the keys a query block visits are read straight from its {@link KeySpans} (ranges ∪ extra columns, causal).
 * GQA (4 query heads on 2 KV heads), ragged lengths (not multiples of 64) and chunked prefill with chunks that
 * start mid-block, each chunk estimated from its own queries. Tolerance 1e-4 absolute on outputs that are convex
 * combinations of unit-scale values (F32 rounding is ~1e-6; a wrong mask moves outputs by ≫ 1e-2). Each case also
 * checks the plans really skip keys, so a dense fallback cannot pass.
 */
class SparsePlansTest {

    private static final int HEADS = 4, KV_HEADS = 2, HEAD_DIM = 16;

    @ParameterizedTest(name = "{0}: {1} tokens in chunks of {2}")
    @CsvSource({
            "a_shape, 333, 333", "a_shape, 700, 150",
            "vertical_slash, 700, 700", "vertical_slash, 913, 250",
            "block_sparse, 640, 640", "block_sparse, 777, 200",
            "mixed, 900, 300", "s2, 1000, 1000", "s2, 1111, 300", "seer, 800, 800", "seer, 1300, 450"})
    void kernelEqualsDenseMaskedToThePlan(String method, int total, int chunk) {
        // S2: local 2 blocks, every 4th block at offsets 0..3, head 0 dense.
        // Seer: a random gate (the plan's structure, not its quality, is under test) keeping 5% of the key blocks
        // besides the sink block and local diagonal (a 0.95 mass of a random gate's near-uniform probabilities is dense).
        AttentionPlanner planner = switch (method) {
            case "s2" -> new S2Sharding(2, 4, false, 1, 0);
            case "seer" -> new SeerAttention(java.util.List.of(SeerGateFit.initial(HEADS, HEAD_DIM, 3)),
                    io.kvasir.engine.testing.TinyModels.qwen2(), SeerSelection.topRatio(0.05));
            default -> new SparsePlanner(config(method), 0);
        };
        Fixture f = new Fixture(total, 17);
        long visited = 0, causal = 0;
        for (int from = 0; from < total; from += chunk) {
            int rows = Math.min(chunk, total - from);
            f.append(from, from + rows);
            float[] q = f.queries(from, rows);
            AttentionInputs in = new AttentionInputs(f.cache.layer(0), f.table, q, 0, rows, from, HEADS, KV_HEADS, HEAD_DIM, 0);
            AttentionPlan plan = planner.plan(0, in);
            float[] out = new float[q.length];
            PagedAttention kernel = new PagedAttention(HEADS, KV_HEADS, HEAD_DIM);
            for (int head = 0; head < HEADS; head++) {
                for (int start = 0; start < rows; start += 64) {
                    int end = Math.min(rows, start + 64);
                    kernel.attend(f.cache.layer(0), f.table, plan, 0, q, 0, from, head, start, end, out, 0, null);
                    KeySpans spans = plan.spans(head, from + start, from + end - 1);
                    for (int r = start; r < end; r++) {
                        int pos = from + r;
                        boolean[] mask = visible(spans, pos);
                        double[] expected = f.reference(pos, head, mask);
                        for (int d = 0; d < HEAD_DIM; d++) {
                            assertEquals(expected[d], out[(r * HEADS + head) * HEAD_DIM + d], 1e-4,
                                    method + " row " + pos + " head " + head + " dim " + d);
                        }
                        for (boolean b : mask) {
                            visited += b ? 1 : 0;
                        }
                        causal += pos + 1;
                    }
                }
            }
        }
        assertTrue(visited < 0.8 * causal, method + " visited " + visited + " of " + causal + " causal keys: not sparse");
    }

    private static SparseAttentionConfig config(String method) {
        return switch (method) {
            case "a_shape" -> SparseAttentionConfig.uniform(PatternSpec.aShape(16, 64));
            case "vertical_slash" -> SparseAttentionConfig.uniform(PatternSpec.verticalSlash(30, 50));
            case "block_sparse" -> SparseAttentionConfig.uniform(PatternSpec.blockSparse(3));
            default -> new SparseAttentionConfig(java.util.List.of(java.util.Map.of(
                    0, PatternSpec.aShape(8, 100), 1, PatternSpec.verticalSlash(40, 60),
                    2, PatternSpec.blockSparse(4), 3, PatternSpec.dense())), PatternSpec.dense());
        };
    }

    /** Keys the span list names for a row at {@code pos}, after the causal mask. */
    static boolean[] visible(KeySpans spans, int pos) {
        boolean[] mask = new boolean[pos + 1];
        for (int i = 0; i < spans.starts().length; i++) {
            for (int k = Math.max(0, spans.starts()[i]); k < Math.min(pos + 1, spans.ends()[i]); k++) {
                mask[k] = true;
            }
        }
        for (int c : spans.extraColumns()) {
            if (c >= 0 && c <= pos) {
                mask[c] = true;
            }
        }
        return mask;
    }

    /** Random Q/K/V written chunk by chunk into a paged cache; float64 masked attention as the reference. */
    private static final class Fixture {
        final float[] q, k, v;
        final KvCache cache = new KvCache(1, KV_HEADS, HEAD_DIM, 32, KvPrecision.F32);
        final BlockTable table = new BlockTable(cache);

        Fixture(int total, long seed) {
            Random r = new Random(seed);
            q = gaussian(r, total * HEADS * HEAD_DIM);
            k = gaussian(r, total * KV_HEADS * HEAD_DIM);
            v = gaussian(r, total * KV_HEADS * HEAD_DIM);
        }

        void append(int from, int to) {
            table.append(to - from);
            for (int pos = from; pos < to; pos++) {
                for (int h = 0; h < KV_HEADS; h++) {
                    int at = (pos * KV_HEADS + h) * HEAD_DIM;
                    cache.layer(0).write(table.physicalBlock(pos / 64), pos % 64, h, k, at, v, at);
                }
            }
        }

        float[] queries(int from, int rows) {
            float[] out = new float[rows * HEADS * HEAD_DIM];
            System.arraycopy(q, from * HEADS * HEAD_DIM, out, 0, out.length);
            return out;
        }

        double[] reference(int pos, int head, boolean[] mask) {
            int kvHead = head / (HEADS / KV_HEADS);
            double max = Double.NEGATIVE_INFINITY;
            double[] scores = new double[pos + 1];
            for (int j = 0; j <= pos; j++) {
                if (!mask[j]) {
                    continue;
                }
                double s = 0;
                for (int d = 0; d < HEAD_DIM; d++) {
                    s += (double) q[(pos * HEADS + head) * HEAD_DIM + d] * k[(j * KV_HEADS + kvHead) * HEAD_DIM + d];
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
}
