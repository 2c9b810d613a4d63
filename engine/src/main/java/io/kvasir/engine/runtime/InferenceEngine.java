package io.kvasir.engine.runtime;

import io.kvasir.engine.attention.sparse.SparseAttentionSetup;
import io.kvasir.engine.kv.BlockTable;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.SequenceChunk;
import io.kvasir.engine.model.Transformer;
import io.kvasir.engine.sampling.SamplingParams;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs sequences on one model: chunked prefill, batched decode steps over many sequences of different lengths,
 * and scoring. Calls are serialized (one forward pass at a time); callers batch by passing many sequences.
 */
public final class InferenceEngine implements AutoCloseable {

    private final LoadedModel model;
    private final KvCache cache;
    private final Transformer transformer;
    private final EngineOptions options;

    public InferenceEngine(LoadedModel model, EngineOptions options) {
        ModelConfig c = model.config();
        this.model = model;
        this.options = options;
        this.cache = new KvCache(c.numLayers(), c.numKvHeads(), c.headDim(),
                KvCache.blocksForBytes(options.kvCacheBytes(), c.numLayers(), c.numKvHeads(), c.headDim(), options.kvPrecision()),
                options.kvPrecision());
        this.transformer = new Transformer(c, model.weights(), cache,
                SparseAttentionSetup.planner(model.path(), c, options.sparseConfig()));
    }

    public LoadedModel model() {
        return model;
    }

    public KvCache cache() {
        return cache;
    }

    /** A new sequence for {@code prompt}; nothing is computed until {@link #prefill}. */
    public Sequence start(int[] prompt, SamplingParams params) {
        ModelConfig c = model.config();
        for (int id : prompt) {
            if (id < 0 || id >= c.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + c.vocabSize() + ")");
            }
        }
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        if (prompt.length >= c.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens; this model's context length is "
                    + c.maxPositionEmbeddings());
        }
        return new Sequence(prompt, params, new BlockTable(cache), model.tokenizer(), c);
    }

    /** Computes the prompt's KV cache chunk by chunk and samples the first generated token. */
    public synchronized void prefill(Sequence s) {
        int[] prompt = s.prompt();
        float[] logits = null;
        for (int from = 0; from < prompt.length; from += options.prefillChunk()) {
            int[] chunk = Arrays.copyOfRange(prompt, from, Math.min(prompt.length, from + options.prefillChunk()));
            logits = transformer.forward(List.of(new SequenceChunk(s.table(), chunk, false, null)));
        }
        s.accept(logits, 0);
    }

    /** One batched forward over the last token of every unfinished sequence; each gets one new token. */
    public synchronized void decode(List<Sequence> sequences) {
        List<Sequence> live = new ArrayList<>(sequences.size());
        List<SequenceChunk> chunks = new ArrayList<>(sequences.size());
        for (Sequence s : sequences) {
            if (!s.isFinished()) {
                live.add(s);
                chunks.add(new SequenceChunk(s.table(), new int[]{s.lastToken()}, false, null));
            }
        }
        if (live.isEmpty()) {
            return;
        }
        float[] logits = transformer.forward(chunks);
        int vocab = model.config().vocabSize();
        for (int i = 0; i < live.size(); i++) {
            live.get(i).accept(logits, i * vocab);
        }
    }

    /** Logits after every prefix of {@code tokens}: row i is the distribution of the token after tokens[0..i]. */
    public synchronized float[][] score(int[] tokens) {
        BlockTable table = new BlockTable(cache);
        int vocab = model.config().vocabSize();
        float[][] rows = new float[tokens.length][];
        try {
            for (int from = 0; from < tokens.length; from += options.prefillChunk()) {
                int[] chunk = Arrays.copyOfRange(tokens, from, Math.min(tokens.length, from + options.prefillChunk()));
                float[] logits = transformer.forward(List.of(new SequenceChunk(table, chunk, true, null)));
                for (int i = 0; i < chunk.length; i++) {
                    rows[from + i] = Arrays.copyOfRange(logits, i * vocab, (i + 1) * vocab);
                }
            }
        } finally {
            table.release();
        }
        return rows;
    }

    @Override
    public void close() throws Exception {
        model.close();
    }
}
