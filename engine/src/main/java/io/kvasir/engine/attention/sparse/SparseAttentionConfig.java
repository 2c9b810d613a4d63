package io.kvasir.engine.attention.sparse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per-layer, per-head sparse patterns in MInference's JSON format: a list over layers of
 * {@code {"<head>": [type, vertical, slash, score]}}. Layers or heads the file does not name get {@code fallback}.
 */
public record SparseAttentionConfig(List<Map<Integer, PatternSpec>> layers, PatternSpec fallback) {

    /** The file name the engine looks for in a model folder. */
    public static final String FILE_NAME = "sparse_attention_config.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public SparseAttentionConfig {
        layers = layers.stream().map(m -> (Map<Integer, PatternSpec>) new TreeMap<>(m)).toList();
    }

    /** Every head of every layer uses {@code pattern} (as the fallback: {@link #write} writes no entries). */
    public static SparseAttentionConfig uniform(PatternSpec pattern) {
        return new SparseAttentionConfig(List.of(), pattern);
    }

    /** Every head of every layer uses {@code pattern}, each named explicitly (so a written file says so). */
    public static SparseAttentionConfig uniform(PatternSpec pattern, int layers, int heads) {
        Map<Integer, PatternSpec> all = new TreeMap<>();
        for (int h = 0; h < heads; h++) {
            all.put(h, pattern);
        }
        return new SparseAttentionConfig(java.util.Collections.nCopies(layers, all), pattern);
    }

    public PatternSpec of(int layer, int head) {
        if (layer < layers.size()) {
            PatternSpec p = layers.get(layer).get(head);
            if (p != null) {
                return p;
            }
        }
        return fallback;
    }

    public static SparseAttentionConfig read(Path file, PatternSpec fallback) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        try {
            return parse(root, fallback);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    static SparseAttentionConfig parse(JsonNode root, PatternSpec fallback) {
        if (!root.isArray()) {
            throw new IllegalArgumentException("expected a list over layers of {\"head\": [type, vertical, slash, score]}");
        }
        List<Map<Integer, PatternSpec>> layers = new ArrayList<>();
        for (JsonNode layer : root) {
            Map<Integer, PatternSpec> heads = new TreeMap<>();
            layer.properties().forEach(e -> {
                JsonNode v = e.getValue();
                if (!v.isArray() || v.size() < 3) {
                    throw new IllegalArgumentException("layer " + layers.size() + " head " + e.getKey()
                            + ": expected [type, vertical, slash, score]");
                }
                heads.put(Integer.parseInt(e.getKey()), new PatternSpec(v.get(0).asText(), v.get(1).asInt(),
                        v.get(2).asInt(), v.path(3).asDouble(0)));
            });
            layers.add(heads);
        }
        return new SparseAttentionConfig(layers, fallback);
    }

    public void write(Path file) throws IOException {
        ArrayNode root = JSON.createArrayNode();
        for (Map<Integer, PatternSpec> layer : layers) {
            ObjectNode o = root.addObject();
            layer.forEach((head, p) -> o.putArray(Integer.toString(head)).add(p.type()).add(p.vertical()).add(p.slash()).add(p.score()));
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    }
}
