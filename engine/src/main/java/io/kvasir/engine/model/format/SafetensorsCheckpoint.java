package io.kvasir.engine.model.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * A Hugging Face checkpoint folder: {@code model.safetensors}, or shards listed by the {@code weight_map} of
 * {@code model.safetensors.index.json}. Every file is mapped read-only into one shared arena that lives until
 * {@link #close()}; tensors are views of the mappings, never heap copies.
 */
public final class SafetensorsCheckpoint implements TensorSource {

    static final String SINGLE = "model.safetensors";
    static final String INDEX = "model.safetensors.index.json";

    private final Path dir;
    private final Arena arena;
    private final Map<String, Tensor> tensors;

    private SafetensorsCheckpoint(Path dir, Arena arena, Map<String, Tensor> tensors) {
        this.dir = dir;
        this.arena = arena;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    public static SafetensorsCheckpoint open(Path modelDir) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            Map<String, Tensor> tensors = Files.exists(modelDir.resolve(INDEX))
                    ? readShards(modelDir, arena)
                    : SafetensorsFile.map(modelDir.resolve(SINGLE), arena);
            return new SafetensorsCheckpoint(modelDir, arena, tensors);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static Map<String, Tensor> readShards(Path dir, Arena arena) throws IOException {
        Path index = dir.resolve(INDEX);
        JsonNode weightMap;
        try {
            weightMap = new ObjectMapper().readTree(index.toFile()).path("weight_map");
        } catch (IOException e) {
            throw new IOException(INDEX + ": not valid JSON: " + e.getMessage(), e);
        }
        if (!weightMap.isObject() || weightMap.isEmpty()) {
            throw new IOException(INDEX + ": missing or empty 'weight_map'");
        }
        TreeSet<String> shards = new TreeSet<>();
        weightMap.forEach(f -> shards.add(f.asText()));
        Map<String, Map<String, Tensor>> byShard = new LinkedHashMap<>();
        for (String shard : shards) {
            Path file = dir.resolve(shard).normalize();
            if (!file.startsWith(dir.normalize())) {
                throw new IOException(INDEX + ": shard '" + shard + "' lies outside the model folder");
            }
            byShard.put(shard, SafetensorsFile.map(file, arena));
        }
        Map<String, Tensor> all = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Tensor t = byShard.get(e.getValue().asText()).get(e.getKey());
            if (t == null) {
                throw new IOException(e.getValue().asText() + ": tensor '" + e.getKey() + "' listed in " + INDEX
                        + " is not in the file");
            }
            all.put(e.getKey(), t);
        }
        return all;
    }

    @Override
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    @Override
    public String description() {
        return dir.toString();
    }

    @Override
    public void close() {
        arena.close();
    }
}
