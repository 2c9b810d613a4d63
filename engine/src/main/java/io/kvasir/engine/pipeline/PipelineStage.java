package io.kvasir.engine.pipeline;

import io.kvasir.engine.kv.BlockTable;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.model.SequenceChunk;
import io.kvasir.engine.model.Transformer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One stage of a pipeline: a layer range of the model over this process's KV cache, with a block table per
 * sequence id. A pass whose chunk starts before the table's end (a retried or rolled-back pass) first drops the
 * positions from there on. One pass at a time.
 */
public final class PipelineStage {

    private final Transformer transformer;
    private final LayerRange layers;
    private final Map<Long, BlockTable> tables = new HashMap<>();

    public PipelineStage(Transformer transformer, LayerRange layers) {
        if (layers.to() > transformer.config().numLayers()) {
            throw new IllegalArgumentException("layers " + layers + " beyond the model's " + transformer.config().numLayers());
        }
        this.transformer = transformer;
        this.layers = layers;
    }

    public LayerRange layers() {
        return layers;
    }

    public boolean isLast() {
        return layers.to() == transformer.config().numLayers();
    }

    /**
     * Runs this stage's layers: {@code hidden} is null on the first stage. Returns the hidden states {@code [T×H]}
     * for the next stage, or on the last stage the logits (per chunk, every row or the last).
     */
    public synchronized float[] run(List<StageChunk> chunks, float[] hidden) {
        List<SequenceChunk> batch = new ArrayList<>(chunks.size());
        for (StageChunk c : chunks) {
            BlockTable table = tables.computeIfAbsent(c.sequence(), id -> new BlockTable(transformer.cache()));
            if (table.tokens() < c.start()) {
                throw new IllegalStateException("sequence " + c.sequence() + " has " + table.tokens()
                        + " tokens at layers " + layers + ", the pass continues it at " + c.start());
            }
            table.truncate(c.start());
            batch.add(new SequenceChunk(table, c.tokens(), c.allLogits(), null));
        }
        return transformer.forwardLayers(batch, hidden, layers.from(), layers.to());
    }

    /** Frees the KV of finished sequences. */
    public synchronized void release(List<Long> sequences) {
        for (long s : sequences) {
            BlockTable t = tables.remove(s);
            if (t != null) {
                t.release();
            }
        }
    }

    KvCache cache() {
        return transformer.cache();
    }
}
