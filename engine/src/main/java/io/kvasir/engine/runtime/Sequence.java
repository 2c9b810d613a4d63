package io.kvasir.engine.runtime;

import io.kvasir.engine.kv.BlockTable;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.sampling.SampledToken;
import io.kvasir.engine.sampling.Sampler;
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
    private final History history = new History();
    private final List<SampledToken> sampled = new ArrayList<>();
    private final StringBuilder pendingText = new StringBuilder();
    private FinishReason finishReason;

    Sequence(int[] prompt, SamplingParams params, BlockTable table, Tokenizer tokenizer, ModelConfig config) {
        this.prompt = prompt.clone();
        this.table = table;
        this.sampler = new Sampler(params);
        this.stop = new StopChecker(params, config.eosTokenIds());
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
        return history.generated[history.count - 1];
    }

    /** Samples the next token from {@code logits[offset..offset+vocab)} and applies the stop rules. */
    void accept(float[] logits, int offset) {
        SampledToken token = sampler.sample(logits, offset, vocabSize, history);
        history.add(token.id());
        sampled.add(token);
        String text = detokenizer != null ? detokenizer.push(token.id()) : "";
        StopChecker.Result r = stop.accept(token.id(), text);
        pendingText.append(r.releasedText());
        if (r.finishReason() != null) {
            finish(r.finishReason().equals("stop") ? FinishReason.STOP : FinishReason.LENGTH);
        } else if (prompt.length + history.count >= contextLength) {
            finish(FinishReason.LENGTH);
        }
    }

    private void finish(FinishReason reason) {
        finishReason = reason;
        table.release();
    }

    public boolean isFinished() {
        return finishReason != null;
    }

    /** Null while running. */
    public FinishReason finishReason() {
        return finishReason;
    }

    /** Generated token ids so far. */
    public int[] generated() {
        return Arrays.copyOf(history.generated, history.count);
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

    /** Prompt and generated ids, as the sampler's penalties see them. */
    private final class History implements TokenHistory {
        int[] generated = new int[16];
        int count;

        void add(int id) {
            if (count == generated.length) {
                generated = Arrays.copyOf(generated, count * 2);
            }
            generated[count++] = id;
        }
    }
}
