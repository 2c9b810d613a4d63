package io.kvasir.engine.attention.sparse;

import io.kvasir.engine.attention.AttentionInputs;
import io.kvasir.engine.attention.PagedAttention;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.TileRef;
import io.kvasir.engine.model.RotaryEmbedding;
import io.kvasir.engine.tensor.VectorOps;

import java.util.SplittableRandom;

/**
 * Fits one head's gate by self-distillation on the model's own activations (the model stays frozen): the target is
 * each key block's share of the query block's attention (the true attention summed over the 64 keys of the block,
 * averaged over the 64 rows); the loss is the KL divergence from it to the gate's block softmax, minimized with Adam
 * on the two projections.
 *
 * <p>Why the attention mass and not SeerAttention's max-pooled map: {@link SeerSelection#DEFAULT} keeps the blocks
 * until their gate probability reaches the recall wanted, which is only a recall when the probabilities estimate
 * attention mass. Fitted on the max-pooled map, a 0.95 mass kept a recall of 0.91 at 8K on planted data (64 sampled blocks) (a block's
 * single largest weight says little of its total); fitted on the mass, 0.94 at 8K, 0.98 at 32K and 128K (see
 * {@link SeerSelection#DEFAULT_MASS}).
 */
final class SeerGateFit {

    private static final double BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;

    private SeerGateFit() {
    }

    /** A gate with small random projections, the starting point of a fit. */
    static SeerGate initial(int heads, int headDim, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] wq = new float[heads * SeerGate.DIM * headDim], wk = new float[heads * SeerGate.DIM * 3 * headDim];
        for (int i = 0; i < wq.length; i++) {
            wq[i] = (float) ((r.nextDouble() - 0.5) * 0.2 / Math.sqrt(headDim));
        }
        for (int i = 0; i < wk.length; i++) {
            wk[i] = (float) ((r.nextDouble() - 0.5) * 0.2 / Math.sqrt(3 * headDim));
        }
        return new SeerGate(heads, headDim, wq, wk);
    }

    /** Each key block's share of each query block's true attention, one head: {@code [queryBlock][keyBlock]}. */
    static double[][] target(AttentionInputs in, int head) {
        int hd = in.headDim(), n = in.keyCount(), blocks = AttentionInputs.keyBlocks(n);
        double[][] t = new double[in.queryBlocks()][blocks];
        float scale = (float) (1 / Math.sqrt(hd));
        float[] scores = new float[n];
        float[] scratch = new float[KvCache.BLOCK_TOKENS * hd];
        TileRef keys = new TileRef();
        for (int row = 0; row < in.rows(); row++) {
            int pos = in.firstPosition() + row, qAt = in.queryAt(row, head);
            for (int kb = 0; kb <= pos / KvCache.BLOCK_TOKENS; kb++) {
                in.keys(kb, in.kvHeadOf(head), scratch, keys);
                for (int j = kb * KvCache.BLOCK_TOKENS; j <= Math.min(pos, (kb + 1) * KvCache.BLOCK_TOKENS - 1); j++) {
                    scores[j] = scale * VectorOps.dot(in.q(), qAt, keys.array, keys.offset + (j % KvCache.BLOCK_TOKENS) * hd, hd);
                }
            }
            VectorOps.softmaxInPlace(scores, 0, pos + 1);
            double[] out = t[row / PagedAttention.QUERY_BLOCK];
            for (int j = 0; j <= pos; j++) {
                out[j / KvCache.BLOCK_TOKENS] += scores[j];
            }
        }
        for (double[] r : t) {
            double sum = 0;
            for (double v : r) {
                sum += v;
            }
            for (int i = 0; i < r.length; i++) {
                r[i] /= sum;
            }
        }
        return t;
    }

    /** KL(target ‖ gate) averaged over query blocks, after {@code steps} Adam steps on {@code head}'s projections. */
    static double fit(SeerGate gate, AttentionInputs in, int head, RotaryEmbedding modelRope, RotaryEmbedding gateRope,
                      int steps, double learningRate) {
        double[][] target = target(in, head);
        SeerGate.Pooled p = SeerGate.pool(in, head, modelRope);
        int hd = in.headDim();
        Adam q = new Adam(gate.wq(), head * SeerGate.DIM * hd, SeerGate.DIM * hd);
        Adam k = new Adam(gate.wk(), head * SeerGate.DIM * 3 * hd, SeerGate.DIM * 3 * hd);
        double loss = 0;
        for (int step = 0; step <= steps; step++) {
            double[][] qg = new double[p.q().length][], kg = new double[p.k().length][];
            for (int qb = 0; qb < qg.length; qb++) {
                qg[qb] = SeerGate.project(gate.wq(), head, hd, p.q()[qb], p.queryBlockIndex()[qb], gateRope);
            }
            for (int kb = 0; kb < kg.length; kb++) {
                kg[kb] = SeerGate.project(gate.wk(), head, 3 * hd, p.k()[kb], kb, gateRope);
            }
            double[][] prob = SeerGate.logits(qg, kg, in);
            SeerGate.softmaxRows(prob);
            loss = 0;
            for (int qb = 0; qb < prob.length; qb++) {
                for (int kb = 0; kb < prob[qb].length; kb++) {
                    if (target[qb][kb] > 0) {
                        loss += target[qb][kb] * Math.log(target[qb][kb] / Math.max(prob[qb][kb], 1e-30));
                    }
                }
            }
            loss /= prob.length;
            if (step == steps) {
                break;
            }
            // dKL/dlogit = (prob − target) per query block; through the dot products, the RoPE and the projections.
            double scale = 1 / Math.sqrt(SeerGate.DIM) / prob.length;
            double[][] dq = new double[qg.length][SeerGate.DIM], dk = new double[kg.length][SeerGate.DIM];
            for (int qb = 0; qb < prob.length; qb++) {
                for (int kb = 0; kb < prob[qb].length; kb++) {
                    double g = (prob[qb][kb] - target[qb][kb]) * scale;
                    if (g == 0) {
                        continue;
                    }
                    for (int i = 0; i < SeerGate.DIM; i++) {
                        dq[qb][i] += g * kg[kb][i];
                        dk[kb][i] += g * qg[qb][i];
                    }
                }
            }
            for (int qb = 0; qb < dq.length; qb++) {
                SeerGate.rotate(dq[qb], p.queryBlockIndex()[qb], gateRope, -1);
                q.accumulate(dq[qb], p.q()[qb]);
            }
            for (int kb = 0; kb < dk.length; kb++) {
                SeerGate.rotate(dk[kb], kb, gateRope, -1);
                k.accumulate(dk[kb], p.k()[kb]);
            }
            q.step(learningRate, step + 1);
            k.step(learningRate, step + 1);
        }
        return loss;
    }

    /** Adam state for one head's projection matrix {@code [DIM][inputs]} inside a flat weight array. */
    private static final class Adam {
        final float[] w;
        final int offset;
        final double[] grad, m, v;

        Adam(float[] w, int offset, int size) {
            this.w = w;
            this.offset = offset;
            this.grad = new double[size];
            this.m = new double[size];
            this.v = new double[size];
        }

        /** grad += outer(dOut [DIM], input). */
        void accumulate(double[] dOut, double[] input) {
            int inputs = input.length;
            for (int o = 0; o < dOut.length; o++) {
                if (dOut[o] != 0) {
                    for (int i = 0; i < inputs; i++) {
                        grad[o * inputs + i] += dOut[o] * input[i];
                    }
                }
            }
        }

        void step(double lr, int t) {
            double c1 = 1 - Math.pow(BETA1, t), c2 = 1 - Math.pow(BETA2, t);
            for (int i = 0; i < grad.length; i++) {
                m[i] = BETA1 * m[i] + (1 - BETA1) * grad[i];
                v[i] = BETA2 * v[i] + (1 - BETA2) * grad[i] * grad[i];
                w[offset + i] -= (float) (lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + EPS));
                grad[i] = 0;
            }
        }
    }
}
