package io.kvasir.engine.model;

import io.kvasir.engine.model.format.Tensor;
import io.kvasir.engine.model.format.TensorSource;
import io.kvasir.engine.moe.MixtureOfExperts;
import io.kvasir.engine.tensor.DType;
import io.kvasir.engine.tensor.WeightMatrices;
import io.kvasir.engine.tensor.WeightMatrix;

import java.io.IOException;
import java.lang.foreign.Arena;

/**
 * Every weight of a Qwen2/Llama model, as matrices over the memory-mapped checkpoint (or Q8_0 copies when asked)
 * and small F32 vectors for norms and biases.
 */
public final class ModelWeights implements AutoCloseable {

    final WeightMatrix embedding;
    final LayerWeights[] layers;
    final float[] finalNorm;
    final WeightMatrix lmHead;
    private final MixtureOfExperts moe;
    private final TensorSource source;
    private final Arena quantized;

    private ModelWeights(WeightMatrix embedding, LayerWeights[] layers, float[] finalNorm, WeightMatrix lmHead,
                         MixtureOfExperts moe, TensorSource source, Arena quantized) {
        this.embedding = embedding;
        this.layers = layers;
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.moe = moe;
        this.source = source;
        this.quantized = quantized;
    }

    /** Takes ownership of {@code source}: closing the weights closes it. */
    public static ModelWeights load(ModelConfig c, TensorSource source, WeightOptions options) throws IOException {
        Arena arena = Arena.ofShared();
        Loader l = new Loader(source, options, arena);
        int h = c.hiddenSize();
        int qDim = c.numHeads() * c.headDim();
        int kvDim = c.numKvHeads() * c.headDim();
        LayerWeights[] layers = new LayerWeights[c.numLayers()];
        MixtureOfExperts moe = c.moe() == null ? null : MixtureOfExperts.load(c, l);
        for (int i = 0; i < layers.length; i++) {
            String p = "model.layers." + i + ".";
            FeedForward mlp = moe != null && c.moe().isMoeLayer(i) ? moe.layer(i) : new DenseFeedForward(
                    l.matrix(p + "mlp.gate_proj.weight", c.intermediateSize(), h),
                    l.matrix(p + "mlp.up_proj.weight", c.intermediateSize(), h),
                    l.matrix(p + "mlp.down_proj.weight", h, c.intermediateSize()));
            layers[i] = new LayerWeights(
                    l.vector(p + "input_layernorm.weight", h),
                    l.matrix(p + "self_attn.q_proj.weight", qDim, h),
                    l.matrix(p + "self_attn.k_proj.weight", kvDim, h),
                    l.matrix(p + "self_attn.v_proj.weight", kvDim, h),
                    l.matrix(p + "self_attn.o_proj.weight", h, qDim),
                    c.attentionBias() ? l.vector(p + "self_attn.q_proj.bias", qDim) : null,
                    c.attentionBias() ? l.vector(p + "self_attn.k_proj.bias", kvDim) : null,
                    c.attentionBias() ? l.vector(p + "self_attn.v_proj.bias", kvDim) : null,
                    l.vector(p + "post_attention_layernorm.weight", h),
                    mlp);
        }
        // Embedding rows are looked up one at a time, so they stay as stored even when matrices are quantized, but in
        // memory rather than in the mapped file (WeightMatrices.copy says why).
        WeightMatrix embedding = WeightMatrices.copy(l.raw("model.embed_tokens.weight", c.vocabSize(), h), arena);
        boolean tied = c.tieWordEmbeddings() || source.find("lm_head.weight").isEmpty();
        WeightMatrix lmHead = tied ? l.prepare(embedding) : l.matrix("lm_head.weight", c.vocabSize(), h);
        return new ModelWeights(embedding, layers, l.vector("model.norm.weight", h), lmHead, moe, source, arena);
    }

    /** The experts, their caches and router of a mixture-of-experts model; null for a dense model. */
    public MixtureOfExperts moe() {
        return moe;
    }

    /** Bytes of every matrix a decode step streams: all layers' projections and the LM head (not the embedding). */
    public long matrixBytes() {
        long total = bytes(lmHead);
        for (LayerWeights l : layers) {
            for (WeightMatrix m : new WeightMatrix[]{l.q(), l.k(), l.v(), l.o()}) {
                total += bytes(m);
            }
            total += l.mlp().matrixBytes();
        }
        return total;
    }

    private static long bytes(WeightMatrix m) {
        return m.dtype().bytesFor((long) m.rows() * m.cols());
    }

    @Override
    public void close() throws Exception {
        if (moe != null) {
            moe.close();
        }
        quantized.close();
        source.close();
    }

    /** Reads tensors from the source, checking each against the shape the configuration implies. */
    private record Loader(TensorSource source, WeightOptions options, Arena arena) implements TensorReader {

        @Override
        public WeightMatrix raw(String name, int rows, int cols) throws IOException {
            Tensor t = source.require(name);
            long[] s = t.shape();
            if (s.length != 2 || s[0] != rows || s[1] != cols) {
                throw new IOException("tensor '" + name + "' has shape " + java.util.Arrays.toString(s)
                        + ", config.json implies [" + rows + ", " + cols + "]");
            }
            return WeightMatrices.wrap(t.dtype(), t.data(), rows, cols);
        }

        @Override
        public WeightMatrix matrix(String name, int rows, int cols) throws IOException {
            return prepare(raw(name, rows, cols));
        }

        /**
         * A matrix the forward pass multiplies by: quantized when asked, else copied out of the mapped checkpoint
         * into placed memory (see WeightPlacement: streamed up to 1.5 times as fast as from the file's offsets).
         */
        WeightMatrix prepare(WeightMatrix m) {
            return options.quantizeQ8_0() && m.dtype() != DType.Q8_0 && m.cols() % DType.Q8_0.blockSize() == 0
                    ? WeightMatrices.quantizeQ8_0(m, arena)
                    : WeightMatrices.resident(m, arena);
        }

        @Override
        public float[] vector(String name, int length) throws IOException {
            Tensor t = source.require(name);
            if (t.shape().length != 1 || t.shape()[0] != length) {
                throw new IOException("tensor '" + name + "' has shape " + java.util.Arrays.toString(t.shape())
                        + ", config.json implies [" + length + "]");
            }
            return t.toFloats();
        }
    }
}
