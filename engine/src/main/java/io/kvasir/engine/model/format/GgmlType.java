package io.kvasir.engine.model.format;

import io.kvasir.engine.tensor.DType;

import java.util.Optional;

/** The ggml tensor type ids (from ggml.h's {@code enum ggml_type}) of the element types we read and write. */
final class GgmlType {

    static final int F32 = 0;
    static final int F16 = 1;
    static final int Q8_0 = 8;
    static final int BF16 = 30;

    private GgmlType() {
    }

    static Optional<DType> toDType(int id) {
        return Optional.ofNullable(switch (id) {
            case F32 -> DType.F32;
            case F16 -> DType.F16;
            case Q8_0 -> DType.Q8_0;
            case BF16 -> DType.BF16;
            default -> null;
        });
    }

    static int of(DType dtype) {
        return switch (dtype) {
            case F32 -> F32;
            case F16 -> F16;
            case Q8_0 -> Q8_0;
            case BF16 -> BF16;
        };
    }
}
