package io.kvasir.engine.model.format;

import io.kvasir.engine.model.HostTensor;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.tensor.DType;
import io.kvasir.engine.testing.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GgufModelTest {

    @TempDir
    Path dir;

    @Test
    void interleavesEachHeadsHalvesByHand() {
        // One head of 4 rows (2 columns each): HF rows r0 r1 | r2 r3 pair (r0, r2) and (r1, r3).
        float[] hf = {0, 0, 1, 1, 2, 2, 3, 3};
        assertArrayEquals(new float[]{0, 0, 2, 2, 1, 1, 3, 3}, RopePermutation.toInterleaved(hf, 1, 2));
        // Two heads of 6 rows, one column: per head [0 1 2 | 3 4 5] -> [0 3 1 4 2 5].
        float[] two = {0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15};
        assertArrayEquals(new float[]{0, 3, 1, 4, 2, 5, 10, 13, 11, 14, 12, 15}, RopePermutation.toInterleaved(two, 2, 1));
    }

    @Test
    void toHalvesUndoesToInterleaved() {
        int heads = 3, headDim = 8, cols = 5;
        float[] hf = new float[heads * headDim * cols];
        Random rnd = new Random(1);
        for (int i = 0; i < hf.length; i++) {
            hf[i] = rnd.nextFloat();
        }
        float[] gguf = RopePermutation.toInterleaved(hf, heads, cols);
        assertFalse(Arrays.equals(hf, gguf));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocateFrom(ValueLayout.JAVA_FLOAT, gguf);
            MemorySegment dst = arena.allocate(src.byteSize());
            RopePermutation.toHalves(src, dst, heads, 4L * cols);
            assertArrayEquals(hf, dst.toArray(ValueLayout.JAVA_FLOAT));
        }
        assertThrows(IllegalArgumentException.class, () -> RopePermutation.toInterleaved(new float[6], 2, 1));
    }

    @Test
    void translatesTensorNamesBothWays() {
        List<String[]> pairs = List.of(
                new String[]{"token_embd.weight", "model.embed_tokens.weight"},
                new String[]{"output_norm.weight", "model.norm.weight"},
                new String[]{"output.weight", "lm_head.weight"},
                new String[]{"blk.12.attn_q.bias", "model.layers.12.self_attn.q_proj.bias"},
                new String[]{"blk.0.attn_output.weight", "model.layers.0.self_attn.o_proj.weight"},
                new String[]{"blk.3.attn_norm.weight", "model.layers.3.input_layernorm.weight"},
                new String[]{"blk.3.ffn_norm.weight", "model.layers.3.post_attention_layernorm.weight"},
                new String[]{"blk.1.ffn_down.weight", "model.layers.1.mlp.down_proj.weight"});
        for (String[] p : pairs) {
            assertEquals(Optional.of(p[1]), GgufNames.toHf(p[0]));
            assertEquals(Optional.of(p[0]), GgufNames.toGguf(p[1]));
        }
        assertEquals(Optional.empty(), GgufNames.toHf("rope_freqs.weight"));
        assertEquals(Optional.empty(), GgufNames.toGguf("model.layers.0.self_attn.rotary_emb.inv_freq"));
    }

    @Test
    void llamaExportReadsBackAsTheSameHuggingFaceModel() throws IOException {
        ModelConfig config = TinyModels.llama();
        List<HostTensor> weights = TinyModels.weights(config, 3);
        GgufVocabulary vocab = TinyModels.vocabulary("llama-bpe");
        Path file = dir.resolve("llama.gguf");
        GgufModelExporter.export(config, weights, vocab, DType.F32, file);

        try (GgufModel model = GgufModel.open(file)) {
            assertEquals(config, model.config());
            assertEquals("llama", model.file().metadata().get("general.architecture"));
            assertEquals(16L, model.file().metadata().get("llama.rope.dimension_count"));
            assertVocabulary(vocab, model.vocabulary());
            assertEquals(weights.size(), model.tensors().size());
            for (HostTensor h : weights) {
                Tensor t = model.require(h.name());
                assertArrayEquals(h.shape(), t.shape(), h.name());
                assertArrayEquals(h.values(), t.toFloats(), h.name());
            }
            // The file itself holds q_proj in llama.cpp's interleaved order.
            assertArrayEquals(RopePermutation.toInterleaved(weights.get(2).values(), config.numHeads(), config.hiddenSize()),
                    model.file().require("blk.0.attn_q.weight").toFloats());
        }
    }

    @Test
    void qwen2ExportInF16KeepsNormsAndBiasesF32AndTiesEmbeddings() throws IOException {
        ModelConfig config = TinyModels.qwen2();
        List<HostTensor> weights = TinyModels.weights(config, 5);
        Path file = dir.resolve("qwen.gguf");
        GgufModelExporter.export(config, weights, TinyModels.vocabulary("qwen2"), DType.F16, file);

        try (GgufModel model = GgufModel.open(file)) {
            assertEquals(config, model.config());
            assertTrue(model.find("lm_head.weight").isEmpty());
            for (HostTensor h : weights) {
                Tensor t = model.require(h.name());
                boolean vector = h.shape().length == 1;
                assertEquals(vector ? DType.F32 : DType.F16, t.dtype(), h.name());
                float[] back = t.toFloats();
                for (int i = 0; i < back.length; i++) {
                    float expected = vector ? h.values()[i] : Float.float16ToFloat(Float.floatToFloat16(h.values()[i]));
                    assertEquals(expected, back[i], 0.0, h.name());
                }
            }
        }
    }

    @Test
    void padsAShortVocabularyToTheModelsSize() throws IOException {
        ModelConfig small = TinyModels.qwen2();
        ModelConfig padded = new ModelConfig(small.architecture(), small.hiddenSize(), small.intermediateSize(),
                small.numLayers(), small.numHeads(), small.numKvHeads(), small.headDim(), small.vocabSize() + 3,
                small.rmsNormEps(), small.ropeTheta(), small.ropeScaling(), small.maxPositionEmbeddings(),
                small.tieWordEmbeddings(), small.attentionBias(), 0, small.maxWindowLayers(), -1, small.eosTokenIds());
        List<HostTensor> weights = TinyModels.weights(padded, 9);
        Path file = dir.resolve("padded.gguf");
        GgufModelExporter.export(padded, weights, TinyModels.vocabulary(""), DType.F32, file);
        try (GgufModel model = GgufModel.open(file)) {
            assertEquals(padded.vocabSize(), model.vocabulary().tokens().size());
            assertEquals("[PAD" + small.vocabSize() + "]", model.vocabulary().tokens().get(small.vocabSize()));
            assertEquals(GgufVocabulary.UNUSED, model.vocabulary().tokenTypes()[small.vocabSize()]);
            assertEquals("qwen2", model.vocabulary().pre());
        }
    }

    @Test
    void otherArchitecturesAreRejectedNamingTheFile() throws IOException {
        Path file = dir.resolve("phi.gguf");
        new GgufWriter().putString("general.architecture", "phi3").write(file);
        IOException e = assertThrows(IOException.class, () -> GgufModel.open(file));
        assertTrue(e.getMessage().startsWith("phi.gguf: unsupported general.architecture 'phi3'"), e.getMessage());
    }

    private static void assertVocabulary(GgufVocabulary expected, GgufVocabulary actual) {
        assertEquals(expected.model(), actual.model());
        assertEquals(expected.pre(), actual.pre());
        assertEquals(expected.tokens(), actual.tokens());
        assertArrayEquals(expected.tokenTypes(), actual.tokenTypes());
        assertEquals(expected.merges(), actual.merges());
        assertEquals(expected.bosTokenId(), actual.bosTokenId());
        assertEquals(expected.eosTokenId(), actual.eosTokenId());
        assertEquals(expected.paddingTokenId(), actual.paddingTokenId());
    }
}
