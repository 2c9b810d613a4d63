package io.kvasir.engine.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Builds the {@code tokenizer.json} of a byte-level BPE tokenizer (GPT-2, Qwen, Llama 3 family) from a
 * GGUF-style vocabulary, so that such vocabularies run through the same Rust tokenizer as Hugging
 * Face checkpoints instead of through a second, hand-written BPE.
 */
public final class ByteLevelBpeJson {

    /** Qwen2's split pattern (llama.cpp pre-tokenizer "qwen2"): digits one by one. */
    static final String QWEN2_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Llama 3's split pattern (llama.cpp pre-tokenizer "llama-bpe"): digits in groups of three. */
    static final String LLAMA3_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private ByteLevelBpeJson() {}

    /**
     * @param pre llama.cpp's {@code tokenizer.ggml.pre}; unknown names get GPT-2's own split regex
     */
    public static ObjectNode build(String pre, List<String> tokens, List<Integer> tokenTypes, List<String> merges) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");

        ArrayNode added = root.putArray("added_tokens");
        ObjectNode vocab = mapper.createObjectNode();
        for (int id = 0; id < tokens.size(); id++) {
            int type = tokenTypes.get(id);
            if (type == ByteLevelBpeVocabulary.TYPE_CONTROL || type == ByteLevelBpeVocabulary.TYPE_USER_DEFINED) {
                added.addObject()
                        .put("id", id)
                        .put("content", tokens.get(id))
                        .put("single_word", false)
                        .put("lstrip", false)
                        .put("rstrip", false)
                        .put("normalized", false)
                        .put("special", type == ByteLevelBpeVocabulary.TYPE_CONTROL);
            } else {
                vocab.put(tokens.get(id), id);
            }
        }

        root.putNull("normalizer");
        root.set("pre_tokenizer", preTokenizer(mapper, pre));
        root.set("post_processor", byteLevel(mapper, false));
        root.set("decoder", byteLevel(mapper, false));

        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        model.set("vocab", vocab);
        ArrayNode mergeArray = model.putArray("merges");
        merges.forEach(mergeArray::add);
        return root;
    }

    private static ObjectNode preTokenizer(ObjectMapper mapper, String pre) {
        String pattern = switch (pre == null ? "" : pre) {
            case "qwen2", "deepseek-r1-qwen" -> QWEN2_PATTERN;
            case "llama-bpe", "llama3", "smaug-bpe" -> LLAMA3_PATTERN;
            default -> null;
        };
        if (pattern == null) {
            return byteLevel(mapper, true);
        }
        ObjectNode sequence = mapper.createObjectNode().put("type", "Sequence");
        ArrayNode steps = sequence.putArray("pretokenizers");
        ObjectNode split = steps.addObject().put("type", "Split");
        split.putObject("pattern").put("Regex", pattern);
        split.put("behavior", "Isolated").put("invert", false);
        steps.add(byteLevel(mapper, false));
        return sequence;
    }

    private static ObjectNode byteLevel(ObjectMapper mapper, boolean useRegex) {
        return mapper.createObjectNode()
                .put("type", "ByteLevel")
                .put("add_prefix_space", false)
                .put("trim_offsets", false)
                .put("use_regex", useRegex);
    }
}
