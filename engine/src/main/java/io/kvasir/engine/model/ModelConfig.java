package io.kvasir.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The architecture hyper-parameters of a decoder-only transformer, as Hugging Face's config.json states them.
 *
 * @param slidingWindow       window in tokens for layers at index {@code >= maxWindowLayers}; 0 = none
 * @param maxWindowLayers     Qwen2: the first {@code maxWindowLayers} layers use full attention
 * @param moe                 mixture-of-experts parameters, or null for a dense model
 * @param dualChunkAttention  Qwen2.5-1M dual-chunk attention, or null
 */
public record ModelConfig(
        String architecture,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int vocabSize,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        int maxPositionEmbeddings,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        int slidingWindow,
        int maxWindowLayers,
        int bosTokenId,
        List<Integer> eosTokenIds,
        MoeConfig moe,
        DualChunkAttentionConfig dualChunkAttention) {

    public static final String QWEN2 = "Qwen2ForCausalLM";
    public static final String LLAMA = "LlamaForCausalLM";
    public static final String QWEN2_MOE = "Qwen2MoeForCausalLM";
    public static final String MIXTRAL = "MixtralForCausalLM";
    /** Read-ME: Llama-style attention, one pre-gating router choosing each token's expert for every layer. */
    public static final String READ_ME = "ReadMeForCausalLM";
    private static final List<String> SUPPORTED = List.of(QWEN2, LLAMA, QWEN2_MOE, MIXTRAL, READ_ME);

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A configuration with mixture-of-experts parameters {@code moe} (null: dense) and no dual-chunk attention. */
    public ModelConfig(String architecture, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
                       int numKvHeads, int headDim, int vocabSize, double rmsNormEps, double ropeTheta,
                       RopeScaling ropeScaling, int maxPositionEmbeddings, boolean tieWordEmbeddings,
                       boolean attentionBias, int slidingWindow, int maxWindowLayers, int bosTokenId,
                       List<Integer> eosTokenIds, MoeConfig moe) {
        this(architecture, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim, vocabSize, rmsNormEps,
                ropeTheta, ropeScaling, maxPositionEmbeddings, tieWordEmbeddings, attentionBias, slidingWindow,
                maxWindowLayers, bosTokenId, eosTokenIds, moe, null);
    }

    /** The same configuration with dual-chunk attention {@code dca} (null: none). */
    public ModelConfig withDualChunkAttention(DualChunkAttentionConfig dca) {
        return new ModelConfig(architecture, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim,
                vocabSize, rmsNormEps, ropeTheta, ropeScaling, maxPositionEmbeddings, tieWordEmbeddings, attentionBias,
                slidingWindow, maxWindowLayers, bosTokenId, eosTokenIds, moe, dca);
    }

    public ModelConfig {
        if (hiddenSize <= 0 || numLayers <= 0 || numHeads <= 0 || numKvHeads <= 0 || vocabSize <= 0 || headDim <= 0) {
            throw new IllegalArgumentException("config: sizes must be positive");
        }
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("config: num_attention_heads " + numHeads
                    + " is not a multiple of num_key_value_heads " + numKvHeads);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("config: head_dim must be even, got " + headDim);
        }
        eosTokenIds = List.copyOf(eosTokenIds);
        if (moe == null && !QWEN2.equals(architecture) && !LLAMA.equals(architecture)) {
            throw new IllegalArgumentException("config: " + architecture + " needs mixture-of-experts parameters");
        }
    }

    /** A dense model. */
    public ModelConfig(String architecture, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
                       int numKvHeads, int headDim, int vocabSize, double rmsNormEps, double ropeTheta,
                       RopeScaling ropeScaling, int maxPositionEmbeddings, boolean tieWordEmbeddings,
                       boolean attentionBias, int slidingWindow, int maxWindowLayers, int bosTokenId,
                       List<Integer> eosTokenIds) {
        this(architecture, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim, vocabSize,
                rmsNormEps, ropeTheta, ropeScaling, maxPositionEmbeddings, tieWordEmbeddings, attentionBias,
                slidingWindow, maxWindowLayers, bosTokenId, eosTokenIds, (MoeConfig) null);
    }

    /** Qwen2 and Qwen2-MoE share Qwen2's attention (q/k/v biases, sliding-window keys). */
    public boolean isQwen2() {
        return QWEN2.equals(architecture) || QWEN2_MOE.equals(architecture);
    }

    public int kvGroupSize() {
        return numHeads / numKvHeads;
    }

    /** Sliding window of layer {@code layer} in tokens, or 0 for full attention. */
    public int slidingWindowOf(int layer) {
        return slidingWindow > 0 && layer >= maxWindowLayers ? slidingWindow : 0;
    }

    public static ModelConfig read(Path configJson) throws IOException {
        JsonNode n;
        try {
            n = JSON.readTree(configJson.toFile());
        } catch (IOException e) {
            throw new IOException(configJson + ": not valid JSON: " + e.getMessage(), e);
        }
        try {
            return fromJson(n);
        } catch (IllegalArgumentException e) {
            throw new IOException(configJson + ": " + e.getMessage(), e);
        }
    }

    public static ModelConfig fromJson(JsonNode n) {
        String arch = n.path("architectures").path(0).asText("");
        if (!SUPPORTED.contains(arch)) {
            throw new IllegalArgumentException("unsupported architecture '" + arch + "' (supported: "
                    + String.join(", ", SUPPORTED) + ")");
        }
        int hidden = required(n, "hidden_size");
        int heads = required(n, "num_attention_heads");
        int layers = required(n, "num_hidden_layers");
        int headDim = n.path("head_dim").asInt(hidden / heads);
        boolean qwen = QWEN2.equals(arch) || QWEN2_MOE.equals(arch);
        boolean useSliding = n.path("use_sliding_window").asBoolean(false);
        int window = (qwen ? useSliding : !n.path("sliding_window").isNull()) ? n.path("sliding_window").asInt(0) : 0;
        List<Integer> eos = new ArrayList<>();
        JsonNode eosNode = n.path("eos_token_id");
        if (eosNode.isArray()) {
            eosNode.forEach(e -> eos.add(e.asInt()));
        } else if (eosNode.isNumber()) {
            eos.add(eosNode.asInt());
        }
        return new ModelConfig(arch, hidden, required(n, "intermediate_size"), layers, heads,
                n.path("num_key_value_heads").asInt(heads), headDim, required(n, "vocab_size"),
                n.path("rms_norm_eps").asDouble(1e-6), n.path("rope_theta").asDouble(10000.0),
                ropeScaling(n.path("rope_scaling")), n.path("max_position_embeddings").asInt(32768),
                n.path("tie_word_embeddings").asBoolean(false),
                qwen || n.path("attention_bias").asBoolean(false),
                window, qwen ? n.path("max_window_layers").asInt(layers) : 0,
                n.path("bos_token_id").asInt(-1), eos, MoeConfigJson.read(arch, n),
                DualChunkAttentionConfig.fromJson(n, n.path("max_position_embeddings").asInt(32768)));
    }

    private static RopeScaling ropeScaling(JsonNode s) {
        if (s.isMissingNode() || s.isNull()) {
            return RopeScaling.NONE;
        }
        String type = s.has("rope_type") ? s.path("rope_type").asText() : s.path("type").asText("default");
        if (!List.of("default", "linear", "yarn", "llama3").contains(type)) {
            throw new IllegalArgumentException("unsupported rope_scaling type '" + type + "'");
        }
        return new RopeScaling(type, s.path("factor").asDouble(1.0),
                s.path("original_max_position_embeddings").asInt(0),
                s.path("beta_fast").asDouble(32), s.path("beta_slow").asDouble(1),
                s.path("low_freq_factor").asDouble(1), s.path("high_freq_factor").asDouble(4));
    }

    private static int required(JsonNode n, String key) {
        if (!n.path(key).canConvertToInt()) {
            throw new IllegalArgumentException("missing or non-integer '" + key + "'");
        }
        return n.path(key).asInt();
    }

    /** The config.json text for this configuration (used by model writers). */
    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.putArray("architectures").add(architecture);
        n.put("model_type", switch (architecture) {
            case QWEN2 -> "qwen2";
            case QWEN2_MOE -> "qwen2_moe";
            case MIXTRAL -> "mixtral";
            case READ_ME -> "readme";
            default -> "llama";
        });
        n.put("hidden_size", hiddenSize);
        n.put("intermediate_size", intermediateSize);
        n.put("num_hidden_layers", numLayers);
        n.put("num_attention_heads", numHeads);
        n.put("num_key_value_heads", numKvHeads);
        n.put("head_dim", headDim);
        n.put("vocab_size", vocabSize);
        n.put("rms_norm_eps", rmsNormEps);
        n.put("rope_theta", ropeTheta);
        n.put("max_position_embeddings", maxPositionEmbeddings);
        n.put("tie_word_embeddings", tieWordEmbeddings);
        if (!isQwen2()) {
            n.put("attention_bias", attentionBias);
        }
        n.put("hidden_act", "silu");
        n.put("torch_dtype", "bfloat16");
        if (isQwen2()) {
            n.put("use_sliding_window", slidingWindow > 0);
            n.put("sliding_window", slidingWindow > 0 ? slidingWindow : maxPositionEmbeddings);
            n.put("max_window_layers", maxWindowLayers);
        }
        if (!ropeScaling.isDefault()) {
            ObjectNode s = n.putObject("rope_scaling");
            s.put("rope_type", ropeScaling.type());
            s.put("factor", ropeScaling.factor());
            if (ropeScaling.originalMaxPositionEmbeddings() > 0) {
                s.put("original_max_position_embeddings", ropeScaling.originalMaxPositionEmbeddings());
            }
            if ("yarn".equals(ropeScaling.type())) {
                s.put("beta_fast", ropeScaling.betaFast());
                s.put("beta_slow", ropeScaling.betaSlow());
            }
            if ("llama3".equals(ropeScaling.type())) {
                s.put("low_freq_factor", ropeScaling.lowFreqFactor());
                s.put("high_freq_factor", ropeScaling.highFreqFactor());
            }
        }
        MoeConfigJson.write(this, n);
        if (dualChunkAttention != null) {
            dualChunkAttention.writeTo(n);
        }
        if (bosTokenId >= 0) {
            n.put("bos_token_id", bosTokenId);
        }
        if (eosTokenIds.size() == 1) {
            n.put("eos_token_id", eosTokenIds.getFirst());
        } else if (!eosTokenIds.isEmpty()) {
            ArrayNode a = n.putArray("eos_token_id");
            eosTokenIds.forEach(a::add);
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
