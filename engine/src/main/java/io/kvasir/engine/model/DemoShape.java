package io.kvasir.engine.model;

import java.util.List;

/** The demo-model shapes of {@code kvasir demo-model --shape}. */
public enum DemoShape {
    /** A few layers for tests and quick tries. */
    SMALL,
    /** The benchmark shape: 8 layers, hidden 1024, heads 16/4, FFN 2816, vocab 32000 (generated tokenizer). */
    BENCH,
    /** Qwen2.5-0.5B's real shape. */
    QWEN2_5_0_5B,
    /** Qwen2-MoE layout: 4 layers, hidden 256, 8 experts of 256 (top 2) plus a shared expert; layer 3 dense. */
    QWEN2_MOE_SMALL,
    /** Mixtral layout: 4 layers, hidden 256, 8 experts of 512, top 2 renormalized. */
    MIXTRAL_SMALL,
    /** Read-ME: 4 layers, hidden 512, 16 experts of 512 chosen by a 1-layer pre-gating router (the experts bench). */
    READ_ME_SMALL;

    public static DemoShape parse(String s) {
        return switch (s) {
            case "small" -> SMALL;
            case "bench" -> BENCH;
            case "qwen2.5-0.5b" -> QWEN2_5_0_5B;
            case "qwen2-moe-small" -> QWEN2_MOE_SMALL;
            case "mixtral-small" -> MIXTRAL_SMALL;
            case "readme-small" -> READ_ME_SMALL;
            default -> throw new IllegalArgumentException("unknown shape '" + s
                    + "' (small, bench, qwen2.5-0.5b, qwen2-moe-small, mixtral-small, readme-small)");
        };
    }

    /** Whether this shape uses the real Qwen tokenizer (else a generated one of {@link #config}'s vocabulary). */
    public boolean usesQwenTokenizer() {
        return this == SMALL || this == QWEN2_5_0_5B;
    }

    /** Qwen2 configuration of this shape for a tokenizer with {@code vocab} ids and the given EOS ids. */
    public ModelConfig config(int vocab, int bos, List<Integer> eos) {
        return switch (this) {
            case SMALL -> qwen2(256, 704, 4, 4, 2, 64, vocab, 1_000_000, true, bos, eos);
            case BENCH -> qwen2(1024, 2816, 8, 16, 4, 64, vocab, 1_000_000, false, bos, eos);
            case QWEN2_5_0_5B -> qwen2(896, 4864, 24, 14, 2, 64, vocab, 1_000_000, true, bos, eos);
            case QWEN2_MOE_SMALL -> new ModelConfig(ModelConfig.QWEN2_MOE, 256, 704, 4, 4, 2, 64, vocab, 1e-6,
                    1_000_000, RopeScaling.NONE, 32768, false, true, 0, 4, bos, eos,
                    new MoeConfig(8, 2, 256, false, 512, 1, List.of(3), null));
            case MIXTRAL_SMALL -> new ModelConfig(ModelConfig.MIXTRAL, 256, 512, 4, 8, 2, 32, vocab, 1e-5,
                    1_000_000, RopeScaling.NONE, 32768, false, false, 0, 0, bos, eos,
                    new MoeConfig(8, 2, 512, true, 0, 1, List.of(), null));
            case READ_ME_SMALL -> new ModelConfig(ModelConfig.READ_ME, 512, 512, 4, 8, 8, 64, vocab, 1e-6,
                    10_000, RopeScaling.NONE, 4096, false, false, 0, 0, bos, eos,
                    new MoeConfig(16, 1, 512, false, 0, 1, List.of(),
                            new PreGatingRouterConfig(1, 128, 256, 4, 4, 10_000, 1e-6)));
        };
    }

    private static ModelConfig qwen2(int hidden, int ffn, int layers, int heads, int kvHeads, int headDim, int vocab,
                                     double theta, boolean tied, int bos, List<Integer> eos) {
        return new ModelConfig(ModelConfig.QWEN2, hidden, ffn, layers, heads, kvHeads, headDim, vocab, 1e-6, theta,
                RopeScaling.NONE, 32768, tied, true, 0, layers, bos, eos);
    }
}
