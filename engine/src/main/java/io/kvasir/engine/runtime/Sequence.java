package io.kvasir.engine.runtime;

import io.kvasir.engine.kv.BlockTable;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.sampling.FinishReason;
import io.kvasir.engine.sampling.SampledToken;
import io.kvasir.engine.sampling.Sampler;
import io.kvasir.engine.sampling.SamplerState;
import io.kvasir.engine.sampling.SamplingParams;
import io.kvasir.engine.sampling.StopChecker;
import io.kvasir.engine.sampling.TokenHistory;
import io.kvasir.engine.tokenizer.StreamingDetokenizer;
import io.kvasir.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One request being generated: its prompt, the tokens sampled so far with their logprobs, its KV block table, its
 * own sampler (seeded RNG, penalties) and stop rules, and the text released to the client so far. Releases its KV
 * blocks when it finishes.
 */
public final class Sequence {

    private final int[] prompt;
    private final BlockTable table;
    private final Sampler sampler;
    private final StopChecker stop;
    private final StreamingDetokenizer detokenizer;
    private final int contextLength;
    private final int vocabSize;
    private final TokenHistory history;
    private int[] generated = new int[16];
    private int generatedCount;
    private final List<SampledToken> sampled = new ArrayList<>();
    private final StringBuilder pendingText = new StringBuilder();
    private FinishReason finishReason;

    Sequence(int[] prompt, SamplingParams params, SamplerState samplerState, BlockTable table, Tokenizer tokenizer,
             ModelConfig config) {
        this.prompt = prompt.clone();
        this.table = table;
        this.sampler = samplerState != null ? new Sampler(params, samplerState) : new Sampler(params);
        this.stop = new StopChecker(params, java.util.Set.copyOf(config.eosTokenIds()));
        this.history = new TokenHistory(prompt);
        this.detokenizer = tokenizer != null ? tokenizer.streamingDetokenizer() : null;
        this.contextLength = config.maxPositionEmbeddings();
        this.vocabSize = config.vocabSize();
    }

    int[] prompt() {
        return prompt;
    }

    BlockTable table() {
        return table;
    }

    int lastToken() {
        return generated[generatedCount - 1];
    }

    /** Tokens generated so far (the first one sampled by prefill included). */
    int generatedCount() {
        return generatedCount;
    }

    /** Samples the next token from {@code logits[offset..offset+vocab)} and applies the stop rules. */
    void accept(float[] logits, int offset) {
        accept(sampler.sample(logits, offset, vocabSize, history));
    }

    /** Takes a token sampled elsewhere (the first token of a prefill handed over by another worker). */
    void accept(SampledToken token) {
        history.append(token.id());
        if (generatedCount == generated.length) {
            generated = Arrays.copyOf(generated, generatedCount * 2);
        }
        generated[generatedCount++] = token.id();
        sampled.add(token);
        String text = detokenizer != null ? detokenizer.push(token.id()) : "";
        StopChecker.Decision d = stop.accept(token.id(), text);
        pendingText.append(d.text());
        if (d.finished()) {
            finish(d.finishReason());
        } else if (prompt.length + generatedCount >= contextLength) {
            finish(FinishReason.LENGTH);
        }
    }

    private void finish(FinishReason reason) {
        finishReason = reason;
        table.release();
    }

    /** Where this sequence's random stream stands; another process continues it with {@link InferenceEngine#resume}. */
    public SamplerState samplerState() {
        return sampler.state();
    }

    public boolean isFinished() {
        return finishReason != null;
    }

    /** Null while running. */
    public FinishReason finishReason() {
        return finishReason;
    }

    public int promptLength() {
        return prompt.length;
    }

    /** Positions whose K/V are in this sequence's cache: the prompt and all generated tokens but the last. */
    public int kvTokens() {
        return table.tokens();
    }

    /** Logical KV blocks this sequence still needs to hold {@code extraTokens} more positions. */
    public int blocksNeeded(int extraTokens) {
        int blocks = (table.tokens() + extraTokens + KvCache.BLOCK_TOKENS - 1) / KvCache.BLOCK_TOKENS;
        return Math.max(0, blocks - table.blockCount());
    }

    /** Generated token ids so far. */
    public int[] generated() {
        return Arrays.copyOf(generated, generatedCount);
    }

    public SampledToken lastSampled() {
        return sampled.getLast();
    }

    public List<SampledToken> sampledTokens() {
        return List.copyOf(sampled);
    }

    /** Text released since the last call (held back while it could still become a stop string). */
    public String takeText() {
        String s = pendingText.toString();
        pendingText.setLength(0);
        return s;
    }

    /** Frees the KV blocks of an unfinished sequence (a cancelled request). */
    public void cancel() {
        if (finishReason == null) {
            finish(FinishReason.STOP);
        }
    }
}
