package io.kvasir.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Qwen2.5-1M's {@code dual_chunk_attention_config}: dual-chunk attention (DCA) keeps every RoPE distance within what
 * the model was trained on. With {@code L = chunk_size − local_size}, keys sit at {@code p mod L}; a query at
 * {@code p} is rotated three ways — for keys in its own L-chunk at {@code p mod L} (intra), for keys in the previous
 * L-chunk at {@code min(p mod L + L, chunk_size)} (successive), for all earlier keys at {@code min(2L − 1, chunk_size)}
 * (inter) — and the three partial attentions are merged by log-sum-exp. Scores are sharpened by the YaRN temperature
 * {@code s = max(1, 0.1·ln(len / original_max_position_embeddings) + 1)} applied to q and k (so s² on scores), with
 * {@code len} the sequence length through the current chunk.
 */
public record DualChunkAttentionConfig(int chunkSize, int localSize, int originalMaxPositionEmbeddings,
                                       int sparseAttentionThreshold) {

    public static final int DEFAULT_SPARSE_THRESHOLD = 32768;

    public DualChunkAttentionConfig {
        if (chunkSize <= 0 || localSize < 0 || localSize >= chunkSize) {
            throw new IllegalArgumentException("dual_chunk_attention_config: need 0 ≤ local_size < chunk_size, got "
                    + localSize + " / " + chunkSize);
        }
        if (originalMaxPositionEmbeddings <= 0) {
            throw new IllegalArgumentException("dual_chunk_attention_config: original_max_position_embeddings must be positive");
        }
    }

    /** L: positions per DCA chunk. */
    public int chunkLength() {
        return chunkSize - localSize;
    }

    public int keyPosition(int position) {
        return position % chunkLength();
    }

    public int intraQueryPosition(int position) {
        return position % chunkLength();
    }

    public int successiveQueryPosition(int position) {
        return Math.min(position % chunkLength() + chunkLength(), chunkSize);
    }

    public int interQueryPosition() {
        return Math.min(2 * chunkLength() - 1, chunkSize);
    }

    /** The YaRN attention temperature s for a sequence of {@code length} tokens. */
    public double temperature(int length) {
        return Math.max(1.0, 0.1 * Math.log((double) length / originalMaxPositionEmbeddings) + 1.0);
    }

    /** Null when the config has no {@code dual_chunk_attention_config}. */
    static DualChunkAttentionConfig fromJson(JsonNode config, int originalMaxFallback) {
        JsonNode n = config.path("dual_chunk_attention_config");
        if (n.isMissingNode() || n.isNull()) {
            return null;
        }
        return new DualChunkAttentionConfig(n.path("chunk_size").asInt(), n.path("local_size").asInt(),
                n.path("original_max_position_embeddings").asInt(originalMaxFallback),
                n.path("sparse_attention_threshold").asInt(DEFAULT_SPARSE_THRESHOLD));
    }

    void writeTo(ObjectNode config) {
        ObjectNode n = config.putObject("dual_chunk_attention_config");
        n.put("chunk_size", chunkSize);
        n.put("local_size", localSize);
        n.put("original_max_position_embeddings", originalMaxPositionEmbeddings);
        n.put("sparse_attention_threshold", sparseAttentionThreshold);
    }
}
