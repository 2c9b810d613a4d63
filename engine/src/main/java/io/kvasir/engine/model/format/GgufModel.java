package io.kvasir.engine.model.format;

import io.kvasir.engine.model.ModelConfig;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@code qwen2} or {@code llama} GGUF seen as a Hugging Face model: its {@link ModelConfig}, its tensors under
 * Hugging Face names and its {@link GgufVocabulary}. Tensors are views of the mapped file except q_proj and k_proj
 * of {@code llama} files, whose rows are put back into Hugging Face's rotate-halves order (see
 * {@link RopePermutation}) in a small arena of this model. Closing the model closes the file.
 */
public final class GgufModel implements TensorSource {

    private final GgufFile file;
    private final Arena copies;
    private final ModelConfig config;
    private final GgufVocabulary vocabulary;
    private final Map<String, Tensor> tensors;

    private GgufModel(GgufFile file, Arena copies, ModelConfig config, GgufVocabulary vocabulary,
                      Map<String, Tensor> tensors) {
        this.file = file;
        this.copies = copies;
        this.config = config;
        this.vocabulary = vocabulary;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    public static GgufModel open(Path path) throws IOException {
        GgufFile file = GgufFile.open(path);
        try {
            return of(file);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Takes ownership of {@code file}: closing the model closes it. */
    public static GgufModel of(GgufFile file) throws IOException {
        boolean llama = GgufModelConfig.architecture(file).equals("llama");
        GgufVocabulary vocabulary = GgufVocabulary.read(file);
        Tensor embedding = file.tensors().get("token_embd.weight");
        if (embedding == null) {
            throw new IOException(file.description() + ": missing tensor 'token_embd.weight'");
        }
        int vocabSize = vocabulary.tokens().isEmpty() ? (int) embedding.shape()[0] : vocabulary.tokens().size();
        ModelConfig config = GgufModelConfig.read(file, vocabSize);
        Arena copies = Arena.ofShared();
        try {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Tensor t : file.tensors().values()) {
                String hf = GgufNames.toHf(t.name()).orElseThrow(() -> new IOException(file.description()
                        + ": tensor '" + t.name() + "' has no Hugging Face counterpart"));
                int heads = hf.contains(".q_proj.") ? config.numHeads() : hf.contains(".k_proj.") ? config.numKvHeads() : 0;
                tensors.put(hf, llama && heads > 0 ? toHalves(t, hf, heads, copies) : rename(t, hf));
            }
            return new GgufModel(file, copies, config, vocabulary, tensors);
        } catch (IOException | RuntimeException e) {
            copies.close();
            throw e;
        }
    }

    private static Tensor rename(Tensor t, String name) {
        return new Tensor(name, t.dtype(), t.shape(), t.data());
    }

    private static Tensor toHalves(Tensor t, String name, int heads, Arena arena) {
        long rows = t.shape()[0];
        MemorySegment copy = arena.allocate(t.data().byteSize(), 64);
        RopePermutation.toHalves(t.data(), copy, heads, t.data().byteSize() / rows);
        return new Tensor(name, t.dtype(), t.shape(), copy);
    }

    public ModelConfig config() {
        return config;
    }

    public GgufVocabulary vocabulary() {
        return vocabulary;
    }

    /** The underlying file, for its metadata. */
    public GgufFile file() {
        return file;
    }

    @Override
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    @Override
    public String description() {
        return file.description();
    }

    @Override
    public void close() {
        copies.close();
        file.close();
    }
}
