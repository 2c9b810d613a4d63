package io.kvasir.engine.testing;

import io.kvasir.engine.model.DualChunkAttentionConfig;
import io.kvasir.engine.model.HostTensor;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.RopeScaling;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A plain float64 forward pass of a Qwen2 / Llama decoder, written to match Hugging Face's modeling code, as
 * an independent reference for llama.cpp and for the engine. No caching, no tricks: every call recomputes
 * the whole sequence. Shapes: hidden H, heads nH of size d, KV heads nKv, FFN F, vocab V, T tokens.
 */
public class ReferenceForward {

    private final ModelConfig c;
    private final Map<String, double[]> w = new HashMap<>();
    private java.util.function.IntUnaryOperator lengthAt = t -> Integer.MAX_VALUE;

    public ReferenceForward(ModelConfig config, List<HostTensor> tensors) {
        RopeScaling s = config.ropeScaling();
        if (!s.isDefault() && !s.type().equals("linear")) {
            throw new IllegalArgumentException("reference forward supports default and linear RoPE, not " + s.type());
        }
        this.c = config;
        for (HostTensor t : tensors) {
            double[] v = new double[t.values().length];
            for (int i = 0; i < v.length; i++) {
                v[i] = t.values()[i];
            }
            w.put(t.name(), v);
        }
    }

    /** Which keys query head {@code head} of {@code layer} at position {@code query} sees (within the causal ones). */
    public interface AttentionMask {
        AttentionMask CAUSAL = (layer, head, query, key) -> true;

        boolean visible(int layer, int head, int query, int key);
    }

    /** Log-softmax over the vocabulary of the next token after each position: {@code [T][V]}. */
    public double[][] logSoftmax(int[] tokens) {
        return logSoftmax(tokens, AttentionMask.CAUSAL);
    }

    /** As {@link #logSoftmax(int[])} with attention restricted to {@code mask} (sparse attention's reference). */
    public double[][] logSoftmax(int[] tokens, AttentionMask mask) {
        return logSoftmax(tokens, mask, t -> tokens.length);
    }

    /**
     * As {@link #logSoftmax(int[], AttentionMask)}; for a model with dual-chunk attention the query at position t
     * uses the temperature of a sequence of {@code lengthAt(t)} tokens (the length through its prefill chunk).
     */
    public double[][] logSoftmax(int[] tokens, AttentionMask mask, java.util.function.IntUnaryOperator lengthAt) {
        this.lengthAt = lengthAt;
        double[][] logits = logits(tokens, mask);
        double[][] out = new double[tokens.length][];
        for (int t = 0; t < tokens.length; t++) {
            out[t] = logSoftmax(logits[t]);
        }
        return out;
    }

    /**
     * As {@link #logSoftmax(int[], AttentionMask, java.util.function.IntUnaryOperator)} for the given positions only
     * ({@code [positions.length][V]}): every position still runs through every layer, only the output head is skipped
     * elsewhere (it dominates the cost with a large vocabulary).
     */
    public double[][] logSoftmaxAt(int[] tokens, AttentionMask mask, java.util.function.IntUnaryOperator lengthAt,
                                   int[] positions) {
        this.lengthAt = lengthAt;
        double[][] logits = logits(tokens, mask, positions);
        double[][] out = new double[positions.length][];
        for (int i = 0; i < positions.length; i++) {
            out[i] = logSoftmax(logits[i]);
        }
        return out;
    }

    /** {@code steps} greedy (argmax) tokens after {@code prompt}. */
    public int[] greedy(int[] prompt, int steps) {
        int[] seq = Arrays.copyOf(prompt, prompt.length + steps);
        for (int k = 0; k < steps; k++) {
            int len = prompt.length + k;
            double[][] logits = logits(Arrays.copyOf(seq, len));
            seq[len] = argmax(logits[len - 1]);
        }
        return Arrays.copyOfRange(seq, prompt.length, seq.length);
    }

    /** Logits {@code [T][V]}. */
    public double[][] logits(int[] tokens) {
        lengthAt = t -> tokens.length;
        return logits(tokens, AttentionMask.CAUSAL);
    }

    private double[][] logits(int[] tokens, AttentionMask mask) {
        int[] all = new int[tokens.length];
        Arrays.setAll(all, i -> i);
        return logits(tokens, mask, all);
    }

    /** Logits at {@code positions}: {@code [positions.length][V]}. */
    private double[][] logits(int[] tokens, AttentionMask mask, int[] positions) {
        int T = tokens.length, H = c.hiddenSize();
        double[][] x = new double[T][];
        for (int t = 0; t < T; t++) {
            x[t] = row(w.get("model.embed_tokens.weight"), tokens[t], H);
        }
        for (int l = 0; l < c.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            double[][] attn = attention(l, p, rmsNormAll(x, p + "input_layernorm.weight"), mask);
            add(x, attn);
            double[][] h = rmsNormAll(x, p + "post_attention_layernorm.weight");
            add(x, mlp(l, h, tokens));
        }
        double[][] h = rmsNormAll(x, "model.norm.weight");
        String head = c.tieWordEmbeddings() ? "model.embed_tokens" : "lm_head";
        double[][] logits = new double[positions.length][];
        for (int i = 0; i < positions.length; i++) {
            logits[i] = linear(head, h[positions[i]]);                // [V]
        }
        return logits;
    }

    /** The feed-forward step of layer {@code layer} over the normed hidden states {@code h[T][H]}; dense here. */
    protected double[][] mlp(int layer, double[][] h, int[] tokens) {
        String p = "model.layers." + layer + ".mlp.";
        double[][] out = new double[h.length][];
        java.util.stream.IntStream.range(0, h.length).parallel()
                .forEach(t -> out[t] = swiglu(p + "gate_proj", p + "up_proj", p + "down_proj", h[t]));
        return out;
    }

    /** {@code down(silu(gate x) · up x)} for one token. */
    protected double[] swiglu(String gateName, String upName, String downName, double[] x) {
        double[] gate = linear(gateName, x);   // [F]
        double[] up = linear(upName, x);       // [F]
        for (int i = 0; i < gate.length; i++) {
            gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
        }
        return linear(downName, gate);         // [H]
    }

    /** Causal GQA self-attention with rotate-halves RoPE (dual-chunk positions when configured); {@code [T][H]} in and out. */
    private double[][] attention(int layer, String p, double[][] h, AttentionMask mask) {
        int T = h.length, d = c.headDim(), nH = c.numHeads(), nKv = c.numKvHeads();
        DualChunkAttentionConfig dca = c.dualChunkAttention();
        double[][] q = new double[T][], k = new double[T][], v = new double[T][];
        double[][][] dcaQ = new double[T][3][];                  // DCA: intra, successive, inter rotations
        for (int t = 0; t < T; t++) {
            q[t] = linear(p + "self_attn.q_proj", h[t]);   // [nH*d]
            k[t] = linear(p + "self_attn.k_proj", h[t]);   // [nKv*d]
            v[t] = linear(p + "self_attn.v_proj", h[t]);   // [nKv*d]
            if (dca != null) {
                // Written from the Qwen2.5-1M description, not from the engine: L = chunk − local; keys at t mod L.
                int L = dca.chunkSize() - dca.localSize();
                int[] qPos = {t % L, Math.min(t % L + L, dca.chunkSize()), Math.min(2 * L - 1, dca.chunkSize())};
                double s = Math.max(1, 0.1 * Math.log((double) lengthAt.applyAsInt(t) / dca.originalMaxPositionEmbeddings()) + 1);
                for (int r = 0; r < 3; r++) {
                    dcaQ[t][r] = q[t].clone();
                    for (int hd = 0; hd < nH; hd++) {
                        rope(dcaQ[t][r], hd * d, qPos[r]);
                    }
                    for (int i = 0; i < dcaQ[t][r].length; i++) {
                        dcaQ[t][r][i] *= s * s;
                    }
                }
                for (int hd = 0; hd < nKv; hd++) {
                    rope(k[t], hd * d, t % L);
                }
                continue;
            }
            for (int hd = 0; hd < nH; hd++) {
                rope(q[t], hd * d, t);
            }
            for (int hd = 0; hd < nKv; hd++) {
                rope(k[t], hd * d, t);
            }
        }
        double[][] out = new double[T][];
        // Rows are independent: spread them over the cores (each writes only out[t]).
        java.util.stream.IntStream.range(0, T).parallel().forEach(t -> {
            double[] o = new double[nH * d];
            for (int hd = 0; hd < nH; hd++) {
                int kv = hd / c.kvGroupSize();
                double[] scores = new double[t + 1];
                for (int s = 0; s <= t; s++) {
                    double[] query = q[t];
                    if (dca != null) {
                        int L = dca.chunkSize() - dca.localSize();
                        int gap = t / L - s / L;
                        query = dcaQ[t][gap == 0 ? 0 : gap == 1 ? 1 : 2];
                    }
                    double dot = 0;
                    for (int i = 0; i < d; i++) {
                        dot += query[hd * d + i] * k[s][kv * d + i];
                    }
                    scores[s] = mask.visible(layer, hd, t, s) ? dot / Math.sqrt(d) : Double.NEGATIVE_INFINITY;
                }
                double[] prob = softmax(scores);
                for (int s = 0; s <= t; s++) {
                    for (int i = 0; i < d; i++) {
                        o[hd * d + i] += prob[s] * v[s][kv * d + i];
                    }
                }
            }
            out[t] = linear(p + "self_attn.o_proj", o);        // [H]
        });
        return out;
    }

    /** Hugging Face's rotate_half: element i pairs with i + d/2 within the head starting at {@code off}. */
    private void rope(double[] x, int off, int pos) {
        int d = c.headDim();
        double position = c.ropeScaling().type().equals("linear") ? pos / c.ropeScaling().factor() : pos;
        for (int i = 0; i < d / 2; i++) {
            double angle = position / Math.pow(c.ropeTheta(), 2.0 * i / d);
            double cos = Math.cos(angle), sin = Math.sin(angle);
            double a = x[off + i], b = x[off + i + d / 2];
            x[off + i] = a * cos - b * sin;
            x[off + i + d / 2] = b * cos + a * sin;
        }
    }

    /** {@code W x + b} for W {@code [rows][cols]} row-major; the bias is used when the checkpoint has one. */
    protected double[] linear(String name, double[] x) {
        double[] m = w.get(name + ".weight");
        if (m == null) {
            throw new IllegalArgumentException("missing tensor " + name + ".weight");
        }
        int cols = x.length, rows = m.length / cols;
        double[] bias = w.get(name + ".bias");
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) {
            double acc = bias == null ? 0 : bias[r];
            for (int j = 0; j < cols; j++) {
                acc += m[r * cols + j] * x[j];
            }
            y[r] = acc;
        }
        return y;
    }

    private double[][] rmsNormAll(double[][] x, String weight) {
        double[] g = w.get(weight);
        double[][] out = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            double ss = 0;
            for (double v : x[t]) {
                ss += v * v;
            }
            double inv = 1 / Math.sqrt(ss / x[t].length + c.rmsNormEps());
            out[t] = new double[x[t].length];
            for (int i = 0; i < x[t].length; i++) {
                out[t][i] = x[t][i] * inv * g[i];
            }
        }
        return out;
    }

    private static void add(double[][] x, double[][] y) {
        for (int t = 0; t < x.length; t++) {
            for (int i = 0; i < x[t].length; i++) {
                x[t][i] += y[t][i];
            }
        }
    }

    private static double[] row(double[] m, int r, int cols) {
        return Arrays.copyOfRange(m, r * cols, (r + 1) * cols);
    }

    private static double[] softmax(double[] x) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double[] p = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            p[i] = Math.exp(x[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < x.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    static double[] logSoftmax(double[] x) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double v : x) {
            max = Math.max(max, v);
        }
        for (double v : x) {
            sum += Math.exp(v - max);
        }
        double log = max + Math.log(sum);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] - log;
        }
        return out;
    }

    static int argmax(double[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }
}
