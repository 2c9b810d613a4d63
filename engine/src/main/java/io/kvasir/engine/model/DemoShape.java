package io.kvasir.engine.model;

import java.util.List;

/** The demo-model shapes of {@code kvasir demo-model --shape}. */
public enum DemoShape {
    /** A few layers for tests and quick tries. */
    SMALL,
    /** The benchmark shape: 8 layers, hidden 1024, heads 16/4, FFN 2816, vocab 32000 (generated tokenizer). */
    BENCH,
    /** Qwen2.5-0.5B's real shape. */
    QWEN2_5_0_5B;

    public static DemoShape parse(String s) {
        return switch (s) {
            case "small" -> SMALL;
            case "bench" -> BENCH;
            case "qwen2.5-0.5b" -> QWEN2_5_0_5B;
            default -> throw new IllegalArgumentException("unknown shape '" + s + "' (small, bench, qwen2.5-0.5b)");
        };
    }

    /** Whether this shape uses the real Qwen tokenizer (else a generated one of {@link #config}'s vocabulary). */
    public boolean usesQwenTokenizer() {
        return this != BENCH;
    }

    /** Qwen2 configuration of this shape for a tokenizer with {@code vocab} ids and the given EOS ids. */
    public ModelConfig config(int vocab, int bos, List<Integer> eos) {
        return switch (this) {
            case SMALL -> qwen2(256, 704, 4, 4, 2, 64, vocab, 1_000_000, true, bos, eos);
            case BENCH -> qwen2(1024, 2816, 8, 16, 4, 64, vocab, 1_000_000, false, bos, eos);
            case QWEN2_5_0_5B -> qwen2(896, 4864, 24, 14, 2, 64, vocab, 1_000_000, true, bos, eos);
        };
    }

    private static ModelConfig qwen2(int hidden, int ffn, int layers, int heads, int kvHeads, int headDim, int vocab,
                                     double theta, boolean tied, int bos, List<Integer> eos) {
        return new ModelConfig(ModelConfig.QWEN2, hidden, ffn, layers, heads, kvHeads, headDim, vocab, 1e-6, theta,
                RopeScaling.NONE, 32768, tied, true, 0, layers, bos, eos);
    }
}
