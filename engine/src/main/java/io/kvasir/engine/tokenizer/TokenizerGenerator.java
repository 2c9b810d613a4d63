package io.kvasir.engine.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a synthetic but valid Qwen-style byte-level BPE tokenizer of an exact vocabulary size, for
 * tests and benchmarks that must not download a real one. Ids 0-255 are the bytes, then merges
 * learned greedily from a built-in multilingual text, then merges of pairs of existing tokens until
 * the size is reached, then {@code <|endoftext|>}, {@code <|im_start|>}, {@code <|im_end|>}.
 * The output depends only on the size.
 */
public final class TokenizerGenerator {

    public static final List<String> SPECIAL_TOKENS = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>");

    static final String CHATML_TEMPLATE = "{% for message in messages %}"
            + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
            + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private static final String TRAINING_TEXT = """
            The quick brown fox jumps over the lazy dog. A language model reads the whole prompt, \
            then writes the answer one token at a time, and the server streams every token to the \
            client as soon as it is sampled. Long documents, source code and conversations in many \
            languages must survive the round trip through the tokenizer without losing a single byte.
            def main(args): return [x * 2 for x in range(10) if x % 3 == 0]
            语言模型逐个生成词元，服务器把每个词元立即发送给客户端。长文档和多语言对话都必须完整保留。
            يقرأ النموذج اللغوي النص كاملا ثم يكتب الإجابة كلمة بعد كلمة.
            भाषा मॉडल पूरा संकेत पढ़ता है और फिर उत्तर एक-एक शब्द करके लिखता है।
            Grüße aus München, déjà vu, naïve café, Ελληνικά, русский язык, 日本語のテキスト, 한국어 문장.
            👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 ❤️ 🚀 12345 67890 3.14159 2026-11-26
            """;

    /** GPT-2's split of text into words before BPE, close enough for learning test merges. */
    private static final Pattern WORDS = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

    private TokenizerGenerator() {}

    /** Writes {@code tokenizer.json} and {@code tokenizer_config.json} (ChatML template) into {@code dir}. */
    public static void write(Path dir, int vocabSize) {
        ByteLevelBpeVocabulary vocabulary = vocabulary(vocabSize);
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode config = mapper.createObjectNode();
        config.put("add_bos_token", false);
        config.putNull("bos_token");
        config.put("eos_token", "<|im_end|>");
        config.put("pad_token", "<|endoftext|>");
        config.put("model_max_length", 1 << 20);
        config.put("tokenizer_class", "Qwen2Tokenizer");
        config.put("chat_template", CHATML_TEMPLATE);
        try {
            Files.createDirectories(dir);
            mapper.writeValue(dir.resolve("tokenizer.json").toFile(), ByteLevelBpeJson.build("qwen2",
                    vocabulary.tokens(), vocabulary.tokenTypes(), vocabulary.merges()));
            mapper.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the generated tokenizer into " + dir, e);
        }
    }

    /**
     * The generated vocabulary itself, as a GGUF writer embeds it.
     *
     * @throws IllegalArgumentException below 259 (bytes and specials)
     */
    public static ByteLevelBpeVocabulary vocabulary(int vocabSize) {
        int mergeCount = vocabSize - 256 - SPECIAL_TOKENS.size();
        if (mergeCount < 0) {
            throw new IllegalArgumentException("vocabulary size " + vocabSize + " is below 259");
        }
        List<String> tokens = new ArrayList<>(vocabSize);
        for (int b = 0; b < 256; b++) {
            tokens.add(ByteLevel.symbol(b));
        }
        Set<String> known = new HashSet<>(tokens);
        List<String> merges = new ArrayList<>(mergeCount);
        int target = 256 + mergeCount;
        List<String> learned = learnMerges(target, tokens, known, merges);
        addPairMerges(target, learned, tokens, known, merges);

        List<Integer> types = new ArrayList<>(vocabSize);
        tokens.forEach(t -> types.add(ByteLevelBpeVocabulary.TYPE_NORMAL));
        for (String special : SPECIAL_TOKENS) {
            tokens.add(special);
            types.add(ByteLevelBpeVocabulary.TYPE_CONTROL);
        }
        int endOfText = vocabSize - 3;
        return new ByteLevelBpeVocabulary(tokens, types, merges, -1, endOfText + 2, endOfText);
    }

    /**
     * Classic BPE training on the built-in text: merge the most frequent adjacent pair, repeatedly. A
     * merge may rebuild a token that exists already (valid for BPE), so the token count is the limit.
     */
    private static List<String> learnMerges(int target, List<String> tokens, Set<String> known, List<String> merges) {
        List<List<String>> words = new ArrayList<>();
        Matcher matcher = WORDS.matcher(TRAINING_TEXT);
        while (matcher.find()) {
            List<String> symbols = new ArrayList<>();
            for (byte b : matcher.group().getBytes(StandardCharsets.UTF_8)) {
                symbols.add(ByteLevel.symbol(b & 0xFF));
            }
            words.add(symbols);
        }
        List<String> learned = new ArrayList<>();
        while (tokens.size() < target) {
            Map<String, Integer> counts = new HashMap<>();
            for (List<String> word : words) {
                for (int i = 0; i + 1 < word.size(); i++) {
                    counts.merge(word.get(i) + " " + word.get(i + 1), 1, Integer::sum);
                }
            }
            // Highest count first; ties by the pair's text so the result never depends on hashing.
            String best = null;
            int bestCount = 1;
            for (Map.Entry<String, Integer> e : counts.entrySet()) {
                int c = e.getValue();
                if (c > bestCount || (c == bestCount && best != null && e.getKey().compareTo(best) < 0)) {
                    best = e.getKey();
                    bestCount = c;
                }
            }
            if (best == null) {
                break;
            }
            int space = best.indexOf(' ');
            String left = best.substring(0, space);
            String right = best.substring(space + 1);
            String merged = left + right;
            merges.add(best);
            if (known.add(merged)) {
                tokens.add(merged);
                learned.add(merged);
            }
            for (List<String> word : words) {
                for (int i = 0; i + 1 < word.size(); i++) {
                    if (word.get(i).equals(left) && word.get(i + 1).equals(right)) {
                        word.set(i, merged);
                        word.remove(i + 1);
                    }
                }
            }
        }
        return learned;
    }

    /**
     * Fills the rest with merges of two seed tokens (the learned ones, then the ASCII letters and the
     * space symbol, then every token made here), walking pairs by increasing larger index so early,
     * frequent tokens combine first. Seeds grow with the tokens, so any size is reachable.
     */
    private static void addPairMerges(int target, List<String> learned, List<String> tokens, Set<String> known,
                                      List<String> merges) {
        List<String> seeds = new ArrayList<>(learned);
        for (char c = 'a'; c <= 'z'; c++) {
            seeds.add(String.valueOf(c));
        }
        for (char c = 'A'; c <= 'Z'; c++) {
            seeds.add(String.valueOf(c));
        }
        seeds.add(ByteLevel.symbol(' '));
        for (int n = 0; n < seeds.size() && tokens.size() < target; n++) {
            for (int i = 0; i <= n && tokens.size() < target; i++) {
                addMerge(seeds.get(i), seeds.get(n), tokens, known, merges, seeds);
                if (i != n && tokens.size() < target) {
                    addMerge(seeds.get(n), seeds.get(i), tokens, known, merges, seeds);
                }
            }
        }
    }

    private static void addMerge(String left, String right, List<String> tokens, Set<String> known,
                                 List<String> merges, List<String> seeds) {
        String merged = left + right;
        if (known.add(merged)) {
            tokens.add(merged);
            merges.add(left + " " + right);
            seeds.add(merged);
        }
    }
}
