package io.kvasir.engine.attention.sparse;

import io.kvasir.engine.attention.AttentionInputs;
import io.kvasir.engine.attention.PagedAttention;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.TileRef;
import io.kvasir.engine.model.RotaryEmbedding;

/**
 * SeerAttention's attention gate for one layer: per 64-token block, pre-RoPE queries average-pooled and pre-RoPE keys
 * max-, min- and average-pooled (concatenated), each projected per query head to {@link #DIM} dimensions, rotated by
 * RoPE at the block index, and scored {@code softmax(q_g · k_g / √DIM)} over the causal key blocks. The model's RoPE
 * is undone on the cached keys and the chunk's queries (it is an invertible rotation); a null model rotation means the
 * inputs carry none.
 *
 * @param wq per head {@code [DIM][headDim]}, flattened {@code [heads][DIM][headDim]}
 * @param wk per head {@code [DIM][3·headDim]}, flattened
 */
public record SeerGate(int heads, int headDim, float[] wq, float[] wk) {

    public static final int DIM = 128;

    /** Pooled block features of one head: {@code q[queryBlock][headDim]}, {@code k[keyBlock][3·headDim]}. */
    record Pooled(double[][] q, double[][] k, int[] queryBlockIndex) {
    }

    static Pooled pool(AttentionInputs in, int head, RotaryEmbedding modelRope) {
        int hd = in.headDim(), half = hd / 2, n = in.keyCount();
        float[] cos = new float[half], sin = new float[half];
        double[][] q = new double[in.queryBlocks()][hd];
        int[] index = new int[q.length];
        double[] row = new double[hd];
        for (int qb = 0; qb < q.length; qb++) {
            int from = qb * PagedAttention.QUERY_BLOCK, to = Math.min(in.rows(), from + PagedAttention.QUERY_BLOCK);
            index[qb] = (in.firstPosition() + from) / KvCache.BLOCK_TOKENS;
            for (int r = from; r < to; r++) {
                unrotate(in.q(), in.queryAt(r, head), in.firstPosition() + r, modelRope, cos, sin, row);
                for (int d = 0; d < hd; d++) {
                    q[qb][d] += row[d] / (to - from);
                }
            }
        }
        int blocks = AttentionInputs.keyBlocks(n);
        double[][] k = new double[blocks][3 * hd];
        float[] scratch = new float[KvCache.BLOCK_TOKENS * hd];
        TileRef keys = new TileRef();
        for (int kb = 0; kb < blocks; kb++) {
            in.keys(kb, in.kvHeadOf(head), scratch, keys);
            int count = Math.min(KvCache.BLOCK_TOKENS, n - kb * KvCache.BLOCK_TOKENS);
            java.util.Arrays.fill(k[kb], 0, hd, Double.NEGATIVE_INFINITY);
            java.util.Arrays.fill(k[kb], hd, 2 * hd, Double.POSITIVE_INFINITY);
            for (int j = 0; j < count; j++) {
                unrotate(keys.array, keys.offset + j * hd, kb * KvCache.BLOCK_TOKENS + j, modelRope, cos, sin, row);
                for (int d = 0; d < hd; d++) {
                    k[kb][d] = Math.max(k[kb][d], row[d]);
                    k[kb][hd + d] = Math.min(k[kb][hd + d], row[d]);
                    k[kb][2 * hd + d] += row[d] / count;
                }
            }
        }
        return new Pooled(q, k, index);
    }

    /** The vector before the model's rotation at {@code position} (dividing out a YaRN scale folded into cos/sin). */
    private static void unrotate(float[] x, int at, int position, RotaryEmbedding rope, float[] cos, float[] sin, double[] out) {
        int half = cos.length;
        if (rope == null) {                                         // inputs that carry no rotary embedding
            for (int i = 0; i < 2 * half; i++) {
                out[i] = x[at + i];
            }
            return;
        }
        rope.angles(position, cos, sin);
        for (int i = 0; i < half; i++) {
            double c = cos[i], s = sin[i], norm = c * c + s * s;
            double y0 = x[at + i], y1 = x[at + i + half];
            out[i] = (y0 * c + y1 * s) / norm;
            out[i + half] = (y1 * c - y0 * s) / norm;
        }
    }

    /** Gate vectors: {@code W · pooled}, then rotated by RoPE at {@code blockIndex} ({@code [DIM]}). */
    static double[] project(float[] w, int head, int inputs, double[] pooled, int blockIndex, RotaryEmbedding gateRope) {
        double[] g = new double[DIM];
        int base = head * DIM * inputs;
        for (int o = 0; o < DIM; o++) {
            double acc = 0;
            for (int i = 0; i < inputs; i++) {
                acc += w[base + o * inputs + i] * pooled[i];
            }
            g[o] = acc;
        }
        rotate(g, blockIndex, gateRope, 1);
        return g;
    }

    /** RoPE on a gate vector; {@code direction} −1 applies the inverse (for gradients). */
    static void rotate(double[] g, int position, RotaryEmbedding gateRope, int direction) {
        float[] cos = new float[DIM / 2], sin = new float[DIM / 2];
        gateRope.angles(position, cos, sin);
        for (int i = 0; i < DIM / 2; i++) {
            double a = g[i], b = g[i + DIM / 2], s = direction * sin[i];
            g[i] = a * cos[i] - b * s;
            g[i + DIM / 2] = b * cos[i] + a * s;
        }
    }

    /** Gate logits {@code [queryBlock][keyBlock]} ({@code −∞} for key blocks after a query block's last row). */
    static double[][] logits(double[][] qg, double[][] kg, AttentionInputs in) {
        double[][] s = new double[qg.length][kg.length];
        double scale = 1 / Math.sqrt(DIM);
        for (int qb = 0; qb < qg.length; qb++) {
            int last = Math.min(in.lastPosition(), in.firstPosition() + (qb + 1) * PagedAttention.QUERY_BLOCK - 1);
            for (int kb = 0; kb < kg.length; kb++) {
                if (kb * KvCache.BLOCK_TOKENS > last) {
                    s[qb][kb] = Double.NEGATIVE_INFINITY;
                    continue;
                }
                double dot = 0;
                for (int i = 0; i < DIM; i++) {
                    dot += qg[qb][i] * kg[kb][i];
                }
                s[qb][kb] = dot * scale;
            }
        }
        return s;
    }

    static void softmaxRows(double[][] s) {
        for (double[] row : s) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (double v : row) {
                max = Math.max(max, v);
            }
            for (int i = 0; i < row.length; i++) {
                row[i] = row[i] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(row[i] - max);
                sum += row[i];
            }
            for (int i = 0; i < row.length; i++) {
                row[i] /= sum;
            }
        }
    }
}
