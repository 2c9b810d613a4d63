package io.kvasir.engine.attention;

import io.kvasir.engine.kv.BlockTable;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.KvPrecision;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;
import java.util.function.BiPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The paged flash-attention kernel against a plain float64 softmax attention over the same visible keys.
 * Tolerance 2e-5 absolute: outputs are convex combinations of values of magnitude ≤ 1, and the kernel's F32
 * online softmax differs from the float64 reference only by rounding (a broken mask or rescale is off by ≫ 1e-3).
 */
class PagedAttentionTest {

    private static final int HEADS = 4, KV_HEADS = 2, HEAD_DIM = 16;

    @ParameterizedTest(name = "{0} tokens, {1} new, window {2}, {3}")
    @CsvSource({
            "1, 1, 0, F32", "70, 70, 0, F32", "150, 150, 0, F32", "150, 1, 0, F32", "200, 37, 0, F32",
            "150, 150, 40, F32", "150, 1, 100, F32", "150, 150, 0, BF16", "130, 3, 0, BF16"})
    void denseMatchesReference(int total, int fresh, int window, KvPrecision precision) {
        Fixture f = new Fixture(total, precision, 7);
        AttentionPlan plan = AttentionPlan.dense(window);
        f.check(fresh, plan, window, (qPos, kPos) -> kPos <= qPos && (window == 0 || kPos > qPos - window));
    }

    @ParameterizedTest(name = "sparse plan, {0} tokens")
    @CsvSource({"150", "257"})
    void sparsePlanVisitsExactlyItsKeys(int total) {
        Fixture f = new Fixture(total, KvPrecision.F32, 11);
        // Sink [0,10), a local band of 40 keys, and two vertical columns; head 1 gets only the local band.
        // Extra columns must lie outside the spans, so they are only named where the local band misses them.
        AttentionPlan plan = (head, first, last) -> {
            int localStart = Math.max(10, first - 40);
            return head == 1
                    ? KeySpans.range(Math.max(0, first - 40), last + 1)
                    : new KeySpans(new int[]{0, localStart}, new int[]{10, last + 1},
                    java.util.stream.IntStream.of(12, 65).filter(col -> col < localStart).toArray());
        };
        f.checkPerHead(total, plan, (head, qPos, kPos) -> {
            boolean local = kPos >= Math.max(head == 1 ? 0 : 10, qPos - qPos % 64 - 40);
            boolean visible = head == 1 ? local : kPos < 10 || local || kPos == 12 || kPos == 65;
            return kPos <= qPos && visible;
        });
    }

    private interface HeadMask {
        boolean visible(int head, int qPos, int kPos);
    }

    private static final class Fixture {
        final int total;
        final float[] q, k, v;
        final KvCache cache;
        final BlockTable table;
        final boolean bf16;

        Fixture(int total, KvPrecision precision, long seed) {
            this.total = total;
            Random r = new Random(seed);
            q = random(r, total * HEADS * HEAD_DIM);
            k = random(r, total * KV_HEADS * HEAD_DIM);
            v = random(r, total * KV_HEADS * HEAD_DIM);
            cache = new KvCache(1, KV_HEADS, HEAD_DIM, 16, precision);
            bf16 = precision == KvPrecision.BF16;
            // Fill through a forked table so some blocks are shared and copy-on-write is exercised.
            BlockTable prefix = new BlockTable(cache);
            int shared = Math.min(total, 70);
            write(prefix, 0, shared);
            table = prefix.fork();
            prefix.release();
            write(table, shared, total);
        }

        private void write(BlockTable t, int from, int to) {
            if (to <= from) {
                return;
            }
            t.append(to - from);
            for (int pos = from; pos < to; pos++) {
                for (int h = 0; h < KV_HEADS; h++) {
                    int at = (pos * KV_HEADS + h) * HEAD_DIM;
                    cache.layer(0).write(t.physicalBlock(pos / 64), pos % 64, h, k, at, v, at);
                }
            }
        }

        void check(int fresh, AttentionPlan plan, int window, BiPredicate<Integer, Integer> mask) {
            checkRows(total - fresh, plan, window, (h, qp, kp) -> mask.test(qp, kp));
        }

        void checkPerHead(int fresh, AttentionPlan plan, HeadMask mask) {
            checkRows(total - fresh, plan, 0, mask);
        }

        private void checkRows(int firstRow, AttentionPlan plan, int window, HeadMask mask) {
            PagedAttention kernel = new PagedAttention(HEADS, KV_HEADS, HEAD_DIM);
            int rows = total - firstRow;
            float[] qRows = new float[rows * HEADS * HEAD_DIM];
            System.arraycopy(q, firstRow * HEADS * HEAD_DIM, qRows, 0, qRows.length);
            float[] out = new float[qRows.length];
            for (int head = 0; head < HEADS; head++) {
                for (int start = 0; start < rows; start += 64) {
                    kernel.attend(cache.layer(0), table, plan, window, qRows, 0, firstRow, head, start,
                            Math.min(rows, start + 64), out, 0, null);
                }
            }
            for (int r = 0; r < rows; r++) {
                for (int head = 0; head < HEADS; head++) {
                    double[] expected = reference(firstRow + r, head, mask);
                    for (int d = 0; d < HEAD_DIM; d++) {
                        assertEquals(expected[d], out[(r * HEADS + head) * HEAD_DIM + d], 2e-5,
                                "row " + (firstRow + r) + " head " + head + " dim " + d);
                    }
                }
            }
        }

        private double[] reference(int qPos, int head, HeadMask mask) {
            int kvHead = head / (HEADS / KV_HEADS);
            double[] scores = new double[total];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < total; j++) {
                if (!mask.visible(head, qPos, j)) {
                    scores[j] = Double.NEGATIVE_INFINITY;
                    continue;
                }
                double s = 0;
                for (int d = 0; d < HEAD_DIM; d++) {
                    s += (double) q[(qPos * HEADS + head) * HEAD_DIM + d] * stored(k[(j * KV_HEADS + kvHead) * HEAD_DIM + d]);
                }
                scores[j] = s / Math.sqrt(HEAD_DIM);
                max = Math.max(max, scores[j]);
            }
            double sum = 0;
            double[] out = new double[HEAD_DIM];
            for (int j = 0; j < total; j++) {
                if (scores[j] == Double.NEGATIVE_INFINITY) {
                    continue;
                }
                double p = Math.exp(scores[j] - max);
                sum += p;
                for (int d = 0; d < HEAD_DIM; d++) {
                    out[d] += p * stored(v[(j * KV_HEADS + kvHead) * HEAD_DIM + d]);
                }
            }
            for (int d = 0; d < HEAD_DIM; d++) {
                out[d] /= sum;
            }
            return out;
        }

        /** The value the cache holds: BF16 keeps the top 16 bits, rounded to nearest even. */
        private double stored(float x) {
            if (!bf16) {
                return x;
            }
            int bits = Float.floatToRawIntBits(x);
            return Float.intBitsToFloat(((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) << 16);
        }

        private static float[] random(Random r, int n) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = (float) (r.nextGaussian());
            }
            return a;
        }
    }
}
