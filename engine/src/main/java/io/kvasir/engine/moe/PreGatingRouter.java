package io.kvasir.engine.moe;

import io.kvasir.engine.kv.BlockTable;
import io.kvasir.engine.model.DenseFeedForward;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.RotaryEmbedding;
import io.kvasir.engine.model.SequenceChunk;
import io.kvasir.engine.model.TokenBatch;
import io.kvasir.engine.tensor.VectorOps;
import io.kvasir.engine.tensor.WeightMatrix;

import java.util.Arrays;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Read-ME's pre-gating router: a small causal Llama-style transformer over token ids whose head scores the experts;
 * the argmax at each position is that token's expert in every layer. It reads ids only, so it runs before the main
 * forward pass — over queued tokens too, which is what makes the expert schedule known ahead. It keeps its own K/V
 * per sequence (keyed by the sequence's block table, dropped with it), truncated to the chunk's start position on
 * each pass so a rolled-back pass is recomputed. Not thread-safe: one forward pass at a time.
 */
public final class PreGatingRouter {

    /** One router layer's weights. */
    record Layer(float[] inputNorm, WeightMatrix q, WeightMatrix k, WeightMatrix v, WeightMatrix o,
                 float[] postNorm, DenseFeedForward mlp) {
    }

    private final ModelConfig c;
    private final WeightMatrix embedding;       // [V×Hr]
    private final Layer[] layers;
    private final float[] finalNorm;
    private final WeightMatrix head;            // [E×Hr]
    private final RotaryEmbedding rope;
    private final Map<BlockTable, History> histories = new WeakHashMap<>();
    private TokenBatch routed;
    private int[] routedExperts;

    /** @param c the router as a decoder ({@link io.kvasir.engine.model.PreGatingRouterConfig#asDecoder}) */
    PreGatingRouter(ModelConfig c, WeightMatrix embedding, Layer[] layers, float[] finalNorm, WeightMatrix head) {
        this.c = c;
        this.embedding = embedding;
        this.layers = layers;
        this.finalNorm = finalNorm;
        this.head = head;
        this.rope = new RotaryEmbedding(c);
    }

    /** The expert of every token of the pass; computed once per pass, since every layer asks. */
    int[] route(TokenBatch batch) {
        if (batch != routed) {
            int[] out = new int[batch.size()];
            int first = 0;
            for (SequenceChunk chunk : batch.chunks()) {
                History h = histories.computeIfAbsent(chunk.table(), t -> newHistory());
                int start = batch.position()[first];
                if (h.length < start) {
                    throw new IllegalStateException("the pre-gating router has seen " + h.length + " tokens of a "
                            + "sequence that continues at position " + start + "; it needs every earlier token");
                }
                h.length = start;
                System.arraycopy(forward(h, chunk.tokens()), 0, out, first, chunk.tokens().length);
                first += chunk.tokens().length;
            }
            routed = batch;
            routedExperts = out;
        }
        return routedExperts;
    }

    /** The expert of every position of {@code tokens}, as a sequence on its own: the lookahead over queued prompts. */
    public int[] predict(int[] tokens) {
        return forward(newHistory(), tokens);
    }

    /**
     * Records {@code tokens} as the first positions of {@code table}'s sequence without running the main model: for a
     * sequence whose KV was computed elsewhere (a prefill worker, the KV store), so the router can continue it.
     */
    public void adopt(BlockTable table, int[] tokens) {
        History h = newHistory();
        forward(h, tokens);
        histories.put(table, h);
        routed = null;
    }

    /**
     * The experts {@code tokens} will get when they continue the sequence of {@code table} (its queued prefill chunks,
     * say), without changing what the router has recorded for it: the lookahead to {@link MixtureOfExperts#announce}.
     */
    public int[] preview(BlockTable table, int[] tokens) {
        History h = histories.get(table);
        if (h == null && table.tokens() > 0) {
            throw new IllegalStateException("the pre-gating router has not seen this sequence's " + table.tokens() + " tokens");
        }
        return forward(h == null ? newHistory() : h.copy(table.tokens()), tokens);
    }

    /** Runs {@code tokens} after {@code h}'s positions, appends their K/V to it, returns their argmax experts. */
    private int[] forward(History h, int[] tokens) {
        int n = tokens.length, H = c.hiddenSize(), hd = c.headDim(), half = hd / 2;
        int qDim = c.numHeads() * hd, kvDim = c.numKvHeads() * hd, start = h.length;
        float[] x = new float[n * H], xn = new float[n * H], tmp = new float[n * H];
        float[] q = new float[n * qDim], k = new float[n * kvDim], v = new float[n * kvDim], attn = new float[n * qDim];
        float[] cos = new float[n * half], sin = new float[n * half], cosRow = new float[half], sinRow = new float[half];
        for (int t = 0; t < n; t++) {
            embedding.copyRow(tokens[t], x, t * H);                     // x[n×Hr]
            rope.angles(start + t, cosRow, sinRow);
            System.arraycopy(cosRow, 0, cos, t * half, half);
            System.arraycopy(sinRow, 0, sin, t * half, half);
        }
        float eps = (float) c.rmsNormEps();
        for (int l = 0; l < layers.length; l++) {
            Layer lw = layers[l];
            for (int t = 0; t < n; t++) {
                VectorOps.rmsNorm(x, t * H, lw.inputNorm(), eps, xn, t * H, H);
            }
            lw.q().multiply(xn, q, n);
            lw.k().multiply(xn, k, n);
            lw.v().multiply(xn, v, n);
            for (int t = 0; t < n; t++) {
                rope.rotate(q, t * qDim, c.numHeads(), cos, sin, t * half);
                rope.rotate(k, t * kvDim, c.numKvHeads(), cos, sin, t * half);
            }
            h.append(l, start, k, v, n);
            attend(h, l, q, attn, start, n);
            lw.o().multiply(attn, tmp, n);
            VectorOps.add(x, 0, tmp, 0, n * H);
            for (int t = 0; t < n; t++) {
                VectorOps.rmsNorm(x, t * H, lw.postNorm(), eps, xn, t * H, H);
            }
            lw.mlp().apply(xn, tmp, n);
            VectorOps.add(x, 0, tmp, 0, n * H);
        }
        h.length = start + n;
        for (int t = 0; t < n; t++) {
            VectorOps.rmsNorm(x, t * H, finalNorm, eps, xn, t * H, H);
        }
        int E = head.rows();
        float[] scores = new float[n * E];
        head.multiply(xn, scores, n);                                   // scores[n×E]
        int[] experts = new int[n];
        for (int t = 0; t < n; t++) {
            int best = 0;
            for (int e = 1; e < E; e++) {
                if (scores[t * E + e] > scores[t * E + best]) {
                    best = e;
                }
            }
            experts[t] = best;
        }
        return experts;
    }

    private History newHistory() {
        return new History(layers.length, c.numKvHeads() * c.headDim());
    }

    /** Causal GQA attention of the n new queries over every position of the history up to their own. */
    private void attend(History h, int layer, float[] q, float[] out, int start, int n) {
        int hd = c.headDim(), heads = c.numHeads(), kvDim = c.numKvHeads() * hd, qDim = heads * hd;
        float scale = (float) (1 / Math.sqrt(hd));
        float[] keys = h.k[layer], values = h.v[layer];
        float[] p = new float[start + n];
        Arrays.fill(out, 0, n * qDim, 0f);
        for (int t = 0; t < n; t++) {
            int visible = start + t + 1;
            for (int head = 0; head < heads; head++) {
                int kvOff = (head / c.kvGroupSize()) * hd, qOff = t * qDim + head * hd;
                for (int s = 0; s < visible; s++) {
                    p[s] = scale * VectorOps.dot(q, qOff, keys, s * kvDim + kvOff, hd);
                }
                VectorOps.softmaxInPlace(p, 0, visible);
                for (int s = 0; s < visible; s++) {
                    VectorOps.axpy(p[s], values, s * kvDim + kvOff, out, qOff, hd);
                }
            }
        }
    }

    /** One sequence's router K/V: {@code [position × kvDim]} per layer, valid up to {@code length}. */
    private static final class History {
        final float[][] k, v;
        final int kvDim;
        int length;

        History(int layers, int kvDim) {
            this.k = new float[layers][0];
            this.v = new float[layers][0];
            this.kvDim = kvDim;
        }

        /** A copy of the first {@code positions} positions, to run ahead on without touching this one. */
        History copy(int positions) {
            if (positions > length) {
                throw new IllegalStateException("the pre-gating router has seen " + length + " of " + positions + " tokens");
            }
            History c = new History(k.length, kvDim);
            for (int l = 0; l < k.length; l++) {
                c.k[l] = Arrays.copyOf(k[l], positions * kvDim);
                c.v[l] = Arrays.copyOf(v[l], positions * kvDim);
            }
            c.length = positions;
            return c;
        }

        void append(int layer, int start, float[] newK, float[] newV, int n) {
            int needed = (start + n) * kvDim;
            if (k[layer].length < needed) {
                k[layer] = Arrays.copyOf(k[layer], Math.max(needed, 2 * k[layer].length));
                v[layer] = Arrays.copyOf(v[layer], Math.max(needed, 2 * v[layer].length));
            }
            System.arraycopy(newK, 0, k[layer], start * kvDim, n * kvDim);
            System.arraycopy(newV, 0, v[layer], start * kvDim, n * kvDim);
        }
    }
}
