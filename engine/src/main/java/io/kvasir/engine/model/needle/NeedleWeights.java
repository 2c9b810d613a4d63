package io.kvasir.engine.model.needle;

import io.kvasir.engine.model.HostTensor;
import io.kvasir.engine.model.ModelConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Computes the needle model's weights: one Qwen2 layer whose attention retrieves, and a zero MLP.
 *
 * <p>RMSNorm (unit weights) scales every token's embedding to length √H, so a token with one unit coordinate reads
 * as √H there and a needle (key and value coordinate) as √(H/2) in each. With query/key weight {@code a} on the key
 * coordinates, the question {@code <K i>} scores {@code <N i_j>} at {@code a²·√H·√(H/2)/√d} after the kernel's
 * 1/√d scaling; filler, the question itself and needles of other keys score 0, because their keys have nothing
 * on the asked key's head coordinate (the question's own key identity lives in a different residual coordinate
 * than a needle's, so it cannot match itself, and no bias is needed to push it down). The q/k/v biases of the
 * qwen2 layout are present and zero: a q or k bias would be rotated with its position and add a score that
 * depends on distance. Rotation only shrinks the match by cos(rotation) and leaks at most
 * sin(rotation)·score onto the other key of the same pair; {@link NeedleLayout#maxKeyRotation} is 0.02 rad over
 * 131072 positions at theta 1e9. {@link #ATTENTION_MARGIN} of 32 nats against ln(131072) = 11.8 leaves the
 * filler 131072·e^-32 ≈ 2e-9 of the attention.
 *
 * <p>V carries the needle's value identity with unit size, O writes it back to the value coordinate with gain
 * {@link #HEAD_GAIN} per head, so at the question token the residual holds the question (1) and the answer
 * (M = heads·4 = 8). The final norm makes the answer coordinate M·√H/√(1+M²) ≈ 0.99·√H and the LM head row of
 * {@code <V j>} reads it with weight {@link #LOGIT_MARGIN}/√H, so {@code <V j>} leads every other token by about 24
 * nats (every other logit is 0): log p(V j) ≈ −vocab·e^-24 ≈ 0. If only one head finds the needle, M = 4 and the
 * lead is still 23.3. After {@code <V j>} the "answered" coordinate makes {@code <|endoftext|>} win by the same
 * margin, so generation stops.
 *
 * <p>Everything is built on axis-aligned coordinates, then expressed in a random orthonormal basis of the residual
 * stream chosen by the seed ({@link OrthogonalBasis}); filler tokens get random unit directions in the filler
 * subspace.
 */
final class NeedleWeights {

    static final double ATTENTION_MARGIN = 32;
    static final double HEAD_GAIN = 4;
    static final double LOGIT_MARGIN = 24;

    private final ModelConfig config;
    private final NeedleVocabulary vocab;
    private final NeedleLayout layout;
    private final OrthogonalBasis basis;
    private final int hidden;

    private NeedleWeights(ModelConfig config, NeedleVocabulary vocab, NeedleLayout layout, long seed) {
        this.config = config;
        this.vocab = vocab;
        this.layout = layout;
        this.hidden = layout.hidden();
        this.basis = OrthogonalBasis.random(hidden, seed);
    }

    static List<HostTensor> build(ModelConfig config, NeedleVocabulary vocab, NeedleLayout layout, long seed) {
        return new NeedleWeights(config, vocab, layout, seed).tensors(seed);
    }

    private List<HostTensor> tensors(long seed) {
        int d = layout.headDim(), heads = layout.heads(), qDim = heads * d, ffn = config.intermediateSize();
        double keyWeight = Math.sqrt(ATTENTION_MARGIN * Math.sqrt(2) * Math.sqrt(d) / hidden);
        double valueWeight = 1 / Math.sqrt(hidden / 2.0);

        float[] q = new float[qDim * hidden], k = new float[qDim * hidden], v = new float[qDim * hidden];
        float[] o = new float[hidden * qDim];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < layout.keys(); i++) {
                addRow(q, h * d + layout.headKey(i), layout.askedKey(i), keyWeight);
                addRow(k, h * d + layout.headKey(i), layout.offeredKey(i), keyWeight);
                addRow(v, h * d + layout.headValue(i), layout.value(i), valueWeight);
                addColumn(o, qDim, h * d + layout.headValue(i), layout.value(i), HEAD_GAIN);
            }
        }
        String p = "model.layers.0.";
        List<HostTensor> out = new ArrayList<>();
        out.add(matrix("model.embed_tokens.weight", vocab.size(), hidden, embedding(seed)));
        out.add(ones(p + "input_layernorm.weight", hidden));
        out.add(matrix(p + "self_attn.q_proj.weight", qDim, hidden, q));
        out.add(matrix(p + "self_attn.k_proj.weight", qDim, hidden, k));
        out.add(matrix(p + "self_attn.v_proj.weight", qDim, hidden, v));
        out.add(new HostTensor(p + "self_attn.q_proj.bias", new long[]{qDim}, new float[qDim]));
        out.add(new HostTensor(p + "self_attn.k_proj.bias", new long[]{qDim}, new float[qDim]));
        out.add(new HostTensor(p + "self_attn.v_proj.bias", new long[]{qDim}, new float[qDim]));
        out.add(matrix(p + "self_attn.o_proj.weight", hidden, qDim, o));
        out.add(ones(p + "post_attention_layernorm.weight", hidden));
        out.add(matrix(p + "mlp.gate_proj.weight", ffn, hidden, new float[ffn * hidden]));
        out.add(matrix(p + "mlp.up_proj.weight", ffn, hidden, new float[ffn * hidden]));
        out.add(matrix(p + "mlp.down_proj.weight", hidden, ffn, new float[hidden * ffn]));
        out.add(ones("model.norm.weight", hidden));
        out.add(matrix("lm_head.weight", vocab.size(), hidden, lmHead()));
        return out;
    }

    private float[] embedding(long seed) {
        float[] e = new float[vocab.size() * hidden];
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int fillerDims = hidden - layout.firstFiller();
        for (int t = 0; t < vocab.size(); t++) {
            if (vocab.isFiller(t)) {
                double[] g = new double[fillerDims];
                double norm = 0;
                for (int c = 0; c < fillerDims; c++) {
                    g[c] = OrthogonalBasis.gaussian(random);
                    norm += g[c] * g[c];
                }
                for (int c = 0; c < fillerDims; c++) {
                    addRow(e, t, layout.firstFiller() + c, g[c] / Math.sqrt(norm));
                }
            }
        }
        for (int i = 0; i < vocab.keys(); i++) {
            addRow(e, vocab.key(i), layout.askedKey(i), 1);
            addRow(e, vocab.value(i), layout.answered(), 1);
            for (int j = 0; j < vocab.values(); j++) {
                addRow(e, vocab.needle(i, j), layout.offeredKey(i), 1);
                addRow(e, vocab.needle(i, j), layout.value(j), 1);
            }
        }
        return e;
    }

    private float[] lmHead() {
        float[] w = new float[vocab.size() * hidden];
        double weight = LOGIT_MARGIN / Math.sqrt(hidden);
        for (int j = 0; j < vocab.values(); j++) {
            addRow(w, vocab.value(j), layout.value(j), weight);
        }
        addRow(w, vocab.endOfText(), layout.answered(), weight);
        return w;
    }

    /** Row {@code row} of a {@code [rows × hidden]} matrix gains {@code weight} times residual coordinate k's direction. */
    private void addRow(float[] m, int row, int coordinate, double weight) {
        for (int c = 0; c < hidden; c++) {
            m[row * hidden + c] += (float) (weight * basis.component(coordinate, c));
        }
    }

    /** Column {@code col} of a {@code [hidden × cols]} matrix writes {@code weight} along residual coordinate k. */
    private void addColumn(float[] m, int cols, int col, int coordinate, double weight) {
        for (int c = 0; c < hidden; c++) {
            m[c * cols + col] += (float) (weight * basis.component(coordinate, c));
        }
    }

    private static HostTensor matrix(String name, int rows, int cols, float[] values) {
        return new HostTensor(name, new long[]{rows, cols}, values);
    }

    private static HostTensor ones(String name, int n) {
        float[] v = new float[n];
        Arrays.fill(v, 1f);
        return new HostTensor(name, new long[]{n}, v);
    }
}
