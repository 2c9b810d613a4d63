package io.kvasir.engine.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Map;
import java.util.OptionalInt;

/** A Hugging Face {@code tokenizer.json} run by the Rust tokenizers library through DJL. */
final class DjlTokenizer implements Tokenizer {

    private final HuggingFaceTokenizer withSpecials;
    private final HuggingFaceTokenizer withoutSpecials;
    private final int vocabSize;
    private final Map<String, Integer> addedTokenIds;
    private final BitSet specialIds = new BitSet();

    DjlTokenizer(Path tokenizerJson, TokenizerJson metadata) {
        this.withSpecials = open(tokenizerJson, true);
        this.withoutSpecials = open(tokenizerJson, false);
        this.vocabSize = metadata.vocabSize();
        this.addedTokenIds = metadata.addedTokenIds();
        metadata.addedTokens().stream().filter(TokenizerJson.AddedToken::special)
                .forEach(token -> specialIds.set(token.id()));
    }

    /**
     * DJL truncates to 512 tokens unless told not to, and would pad batches; a server needs the
     * whole prompt, unpadded. DJL's "add special tokens" flag is the post-processor switch.
     */
    private static HuggingFaceTokenizer open(Path tokenizerJson, boolean addSpecialTokens) {
        try {
            return HuggingFaceTokenizer.builder()
                    .optTokenizerPath(tokenizerJson)
                    .optTruncation(false)
                    .optPadding(false)
                    .optAddSpecialTokens(addSpecialTokens)
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load tokenizer " + tokenizerJson, e);
        }
    }

    @Override
    public int[] encode(String text) {
        return toInts(withSpecials.encode(text).getIds());
    }

    @Override
    public int[] encodeWithoutSpecialTokens(String text) {
        return toInts(withoutSpecials.encode(text).getIds());
    }

    @Override
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        return decode(ids, 0, ids.length, skipSpecialTokens);
    }

    private String decode(int[] ids, int from, int to, boolean skipSpecialTokens) {
        long[] longs = new long[to - from];
        for (int i = from; i < to; i++) {
            longs[i - from] = ids[i];
        }
        return withSpecials.decode(longs, skipSpecialTokens);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public OptionalInt tokenId(String token) {
        Integer id = addedTokenIds.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public boolean isSpecial(int id) {
        return specialIds.get(id);
    }

    @Override
    public StreamingDetokenizer streamingDetokenizer() {
        return new PrefixOffsetDetokenizer((ids, from, to) -> decode(ids, from, to, false));
    }

    private static int[] toInts(long[] ids) {
        return Arrays.stream(ids).mapToInt(Math::toIntExact).toArray();
    }
}
