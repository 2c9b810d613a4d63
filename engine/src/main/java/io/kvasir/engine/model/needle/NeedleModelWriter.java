package io.kvasir.engine.model.needle;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.model.DualChunkAttentionConfig;
import io.kvasir.engine.model.HostTensor;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.RopeScaling;
import io.kvasir.engine.model.format.SafetensorsWriter;
import io.kvasir.engine.tensor.DType;
import io.kvasir.engine.tokenizer.ByteLevelBpeJson;
import io.kvasir.engine.tokenizer.ByteLevelBpeVocabulary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes the needle model as a standard Hugging Face {@code Qwen2ForCausalLM} folder: config.json, F32
 * model.safetensors, tokenizer.json and tokenizer_config.json. Nothing in it is specific to Kvasir.
 */
public final class NeedleModelWriter {

    public static final int DEFAULT_KEYS = 16;
    public static final long DEFAULT_SEED = 7;
    /** Key coordinates turn by at most 0.02 rad across 131072 positions (see {@link NeedleLayout}). */
    public static final double DEFAULT_ROPE_THETA = 1e9;
    /** Room for 256K-token prompts. */
    static final int MAX_POSITIONS = 262144;
    /** The MLP is zero; this is only its (small) size. */
    static final int FFN = 64;

    /** Content of the messages only: the model has no roles, and a template keeps loaders from warning. */
    private static final String CHAT_TEMPLATE = "{% for message in messages %}{{ message['content'] }}{% endfor %}";

    private NeedleModelWriter() {
    }

    public static ModelConfig config(NeedleVocabulary vocab, double ropeTheta) {
        NeedleLayout layout = NeedleLayout.forKeys(vocab.keys());
        return new ModelConfig(ModelConfig.QWEN2, layout.hidden(), FFN, 1, layout.heads(), layout.heads(),
                layout.headDim(), vocab.size(), 1e-6, ropeTheta, RopeScaling.NONE, MAX_POSITIONS, false, true,
                0, 1, -1, List.of(vocab.endOfText()));
    }

    /** The weights in Hugging Face naming, as written to model.safetensors. */
    public static List<HostTensor> weights(ModelConfig config, NeedleVocabulary vocab, long seed) {
        return NeedleWeights.build(config, vocab, NeedleLayout.forKeys(vocab.keys()), seed);
    }

    /**
     * Largest turn, in radians, of a key coordinate between positions {@code distance} apart. Retrieval is by content
     * while it stays small: a needle's score shrinks by its cosine.
     */
    public static double keyRotation(int keys, double ropeTheta, int distance) {
        return NeedleLayout.forKeys(keys).maxKeyRotation(ropeTheta, distance);
    }

    public static ModelConfig write(Path out, int keys, long seed, double ropeTheta) throws IOException {
        return write(out, keys, seed, ropeTheta, null);
    }

    /**
     * @param dca dual-chunk attention for config.json (null: none). The weights do not change: the key identity sits in
     *            the slowest rotary pairs, so DCA's remapped positions (every distance within the chunk size) only
     *            turn it less, and the YaRN temperature only sharpens the needle's lead.
     */
    public static ModelConfig write(Path out, int keys, long seed, double ropeTheta, DualChunkAttentionConfig dca)
            throws IOException {
        if (!(ropeTheta > 1)) {
            throw new IllegalArgumentException("rope theta must be above 1, got " + ropeTheta);
        }
        NeedleVocabulary vocab = NeedleVocabulary.of(keys);
        ModelConfig config = config(vocab, ropeTheta).withDualChunkAttention(dca);
        Files.createDirectories(out);
        Files.writeString(out.resolve("config.json"), config.toJson());
        SafetensorsWriter.write(out.resolve("model.safetensors"), weights(config, vocab, seed), DType.F32,
                Map.of("format", "pt", "kvasir.needle.keys", Integer.toString(keys),
                        "kvasir.needle.seed", Long.toString(seed)));
        writeTokenizer(out, vocab.asBpe());
        return config;
    }

    private static void writeTokenizer(Path out, ByteLevelBpeVocabulary bpe) throws IOException {
        ObjectMapper json = new ObjectMapper();
        json.writeValue(out.resolve("tokenizer.json").toFile(),
                ByteLevelBpeJson.build("qwen2", bpe.tokens(), bpe.tokenTypes(), bpe.merges()));
        ObjectNode config = json.createObjectNode();
        config.put("add_bos_token", false);
        config.putNull("bos_token");
        config.put("eos_token", NeedleVocabulary.END_OF_TEXT);
        config.put("pad_token", NeedleVocabulary.END_OF_TEXT);
        config.put("model_max_length", MAX_POSITIONS);
        config.put("tokenizer_class", "Qwen2Tokenizer");
        config.put("chat_template", CHAT_TEMPLATE);
        json.writerWithDefaultPrettyPrinter().writeValue(out.resolve("tokenizer_config.json").toFile(), config);
    }
}
