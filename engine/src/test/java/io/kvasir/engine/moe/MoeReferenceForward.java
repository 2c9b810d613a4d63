package io.kvasir.engine.moe;

import io.kvasir.engine.model.HostTensor;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.MoeConfig;
import io.kvasir.engine.testing.ReferenceForward;

import java.util.ArrayList;
import java.util.List;

/**
 * The float64 reference forward pass with Hugging Face's mixture-of-experts feed-forward, written from the
 * modeling code, per token and per expert: Qwen2-MoE ({@code softmax → topk → optional renormalize}, plus
 * {@code sigmoid(shared_expert_gate(x)) · shared_expert(x)}), Mixtral (softmax over the top-k logits) and Read-ME
 * (the pre-gating router's argmax at each position, the same expert in every layer). The router is itself a
 * {@link ReferenceForward} over the {@code router.*} tensors, its lm_head scoring experts.
 */
final class MoeReferenceForward extends ReferenceForward {

    private final MoeConfig m;
    private final boolean mixtral;
    private final ReferenceForward router;

    MoeReferenceForward(ModelConfig config, List<HostTensor> tensors) {
        super(config, tensors);
        this.m = config.moe();
        this.mixtral = ModelConfig.MIXTRAL.equals(config.architecture());
        this.router = m.isPreGated() ? new ReferenceForward(m.router().asDecoder(config.vocabSize(), 256), routerTensors(tensors)) : null;
    }

    /** The router's expert (argmax of its head) at every position of {@code tokens}. */
    int[] routerExperts(int[] tokens) {
        double[][] scores = router.logits(tokens);
        int[] out = new int[tokens.length];
        for (int t = 0; t < tokens.length; t++) {
            for (int e = 1; e < scores[t].length; e++) {
                if (scores[t][e] > scores[t][out[t]]) {
                    out[t] = e;
                }
            }
        }
        return out;
    }

    @Override
    protected double[][] mlp(int layer, double[][] h, int[] tokens) {
        if (!m.isMoeLayer(layer)) {
            return super.mlp(layer, h, tokens);
        }
        String p = "model.layers." + layer + ".";
        int[] preGated = router != null ? routerExperts(tokens) : null;
        double[][] out = new double[h.length][];
        for (int t = 0; t < h.length; t++) {
            if (preGated != null) {
                out[t] = expert(p, preGated[t], h[t]);
                continue;
            }
            double[] prob = softmax(linear(p + (mixtral ? "block_sparse_moe.gate" : "mlp.gate"), h[t]));   // [E]
            List<Integer> top = new ArrayList<>();
            double chosen = 0;
            for (int s = 0; s < m.expertsPerToken(); s++) {
                int best = -1;
                for (int e = 0; e < prob.length; e++) {
                    if (!top.contains(e) && (best < 0 || prob[e] > prob[best])) {
                        best = e;
                    }
                }
                top.add(best);
                chosen += prob[best];
            }
            out[t] = new double[h[t].length];
            for (int e : top) {
                double weight = m.normTopkProb() ? prob[e] / chosen : prob[e];
                double[] y = expert(p, e, h[t]);
                for (int i = 0; i < y.length; i++) {
                    out[t][i] += weight * y[i];
                }
            }
            if (m.sharedExpertIntermediateSize() > 0) {
                double gate = 1 / (1 + Math.exp(-linear(p + "mlp.shared_expert_gate", h[t])[0]));
                double[] y = swiglu(p + "mlp.shared_expert.gate_proj", p + "mlp.shared_expert.up_proj",
                        p + "mlp.shared_expert.down_proj", h[t]);
                for (int i = 0; i < y.length; i++) {
                    out[t][i] += gate * y[i];
                }
            }
        }
        return out;
    }

    private double[] expert(String p, int e, double[] x) {
        return mixtral
                ? swiglu(p + "block_sparse_moe.experts." + e + ".w1", p + "block_sparse_moe.experts." + e + ".w3",
                p + "block_sparse_moe.experts." + e + ".w2", x)
                : swiglu(p + "mlp.experts." + e + ".gate_proj", p + "mlp.experts." + e + ".up_proj",
                p + "mlp.experts." + e + ".down_proj", x);
    }

    /** The router's tensors under the names a plain decoder reference expects. */
    private static List<HostTensor> routerTensors(List<HostTensor> tensors) {
        List<HostTensor> out = new ArrayList<>();
        for (HostTensor t : tensors) {
            if (t.name().equals("router.lm_head.weight")) {
                out.add(new HostTensor("lm_head.weight", t.shape(), t.values()));
            } else if (t.name().startsWith("router.")) {
                out.add(new HostTensor("model." + t.name().substring("router.".length()), t.shape(), t.values()));
            }
        }
        return out;
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
}
