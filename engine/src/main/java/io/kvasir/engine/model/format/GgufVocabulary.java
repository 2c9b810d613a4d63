package io.kvasir.engine.model.format;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The tokenizer a GGUF file carries ({@code tokenizer.ggml.*}), as raw data for building a tokenizer.
 *
 * @param model      {@code tokenizer.ggml.model}, e.g. "gpt2" (byte-level BPE) or "llama" (SentencePiece)
 * @param pre        {@code tokenizer.ggml.pre}, llama.cpp's name of the pre-tokenizer ("qwen2", "llama-bpe", …); may be empty
 * @param tokens     token strings by id (byte-level BPE tokens in GPT-2's byte-to-unicode form)
 * @param tokenTypes per token one of the {@code *} constants below
 * @param merges     BPE merges as "left right"
 * @param bosTokenId -1 when absent, likewise {@code eosTokenId} and {@code paddingTokenId}
 */
public record GgufVocabulary(String model, String pre, List<String> tokens, int[] tokenTypes, List<String> merges,
                             int bosTokenId, int eosTokenId, int paddingTokenId) {

    public static final int NORMAL = 1;
    public static final int UNKNOWN = 2;
    public static final int CONTROL = 3;
    public static final int USER_DEFINED = 4;
    public static final int UNUSED = 5;
    public static final int BYTE = 6;

    static final String PREFIX = "tokenizer.ggml.";

    public GgufVocabulary {
        tokens = List.copyOf(tokens);
        merges = List.copyOf(merges);
        tokenTypes = tokenTypes.clone();
        if (tokenTypes.length != tokens.size()) {
            throw new IllegalArgumentException(tokens.size() + " tokens but " + tokenTypes.length + " token types");
        }
    }

    @Override
    public int[] tokenTypes() {
        return tokenTypes.clone();
    }

    static GgufVocabulary read(GgufFile file) throws IOException {
        Map<String, Object> m = file.metadata();
        List<String> tokens = strings(file, PREFIX + "tokens");
        int[] types = new int[tokens.size()];
        if (m.get(PREFIX + "token_type") instanceof List<?> list) {
            if (list.size() != tokens.size()) {
                throw new IOException(file.description() + ": " + list.size() + " token types for " + tokens.size() + " tokens");
            }
            for (int i = 0; i < types.length; i++) {
                types[i] = ((Number) list.get(i)).intValue();
            }
        } else {
            Arrays.fill(types, NORMAL);
        }
        return new GgufVocabulary(String.valueOf(m.getOrDefault(PREFIX + "model", "")),
                String.valueOf(m.getOrDefault(PREFIX + "pre", "")), tokens, types,
                m.containsKey(PREFIX + "merges") ? strings(file, PREFIX + "merges") : List.of(),
                id(m, "bos_token_id"), id(m, "eos_token_id"), id(m, "padding_token_id"));
    }

    private static List<String> strings(GgufFile file, String key) throws IOException {
        if (!(file.metadata().get(key) instanceof List<?> list) || !list.stream().allMatch(String.class::isInstance)) {
            throw new IOException(file.description() + ": metadata '" + key + "' is missing or not a list of strings");
        }
        return list.stream().map(String.class::cast).toList();
    }

    private static int id(Map<String, Object> m, String key) {
        return m.get(PREFIX + key) instanceof Number n ? n.intValue() : -1;
    }
}
