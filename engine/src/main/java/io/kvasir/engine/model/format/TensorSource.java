package io.kvasir.engine.model.format;

import java.util.Map;
import java.util.Optional;

/** The tensors of a model checkpoint under their Hugging Face names; closing it unmaps the files. */
public interface TensorSource extends AutoCloseable {

    /** All tensors by Hugging Face name, in a stable order. */
    Map<String, Tensor> tensors();

    /** Where the tensors come from, for error messages (a file or folder). */
    String description();

    default Optional<Tensor> find(String name) {
        return Optional.ofNullable(tensors().get(name));
    }

    /** @throws IllegalArgumentException naming this source and {@code name} when the tensor is absent */
    default Tensor require(String name) {
        Tensor t = tensors().get(name);
        if (t == null) {
            throw new IllegalArgumentException(description() + ": missing tensor '" + name + "'");
        }
        return t;
    }

    @Override
    void close();
}
