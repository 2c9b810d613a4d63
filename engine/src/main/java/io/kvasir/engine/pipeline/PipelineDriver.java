package io.kvasir.engine.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs passes through a pipeline whose first stage is in this process: a pass's chunks are cut into as many
 * micro-batches as there are stages, and while the later stages work on one micro-batch the first stage computes
 * the next, so every stage has work in flight. Returns the same logits, in the same order, as one process would.
 */
public final class PipelineDriver implements AutoCloseable {

    private final PipelineStage first;
    private final StageClient next;
    private final int stages;

    /**
     * @param next   the second stage, or null when {@code first} runs every layer
     * @param stages how many stages the chain has, this one included (the micro-batches per pass)
     */
    public PipelineDriver(PipelineStage first, StageClient next, int stages) {
        if ((next == null) != first.isLast()) {
            throw new IllegalArgumentException("the first stage needs a next stage exactly when it does not end the model");
        }
        this.first = first;
        this.next = next;
        this.stages = stages;
    }

    /** One pass over {@code chunks}: logits per chunk in order (every row for all-logits chunks, else the last). */
    public float[] forward(List<StageChunk> chunks) {
        if (next == null) {
            return first.run(chunks, null);
        }
        List<CompletableFuture<float[]>> parts = new ArrayList<>();
        int micro = Math.min(stages, chunks.size());
        for (int m = 0, from = 0; m < micro; m++) {
            int to = from + chunks.size() / micro + (m < chunks.size() % micro ? 1 : 0);
            List<StageChunk> batch = chunks.subList(from, to);
            float[] hidden = first.run(batch, null);
            parts.add(next.send(List.copyOf(batch), hidden).toCompletionStage().toCompletableFuture());
            from = to;
        }
        List<float[]> outputs = new ArrayList<>();
        int total = 0;
        for (CompletableFuture<float[]> part : parts) {
            float[] o = part.join();
            outputs.add(o);
            total += o.length;
        }
        float[] logits = new float[total];
        int at = 0;
        for (float[] o : outputs) {
            System.arraycopy(o, 0, logits, at, o.length);
            at += o.length;
        }
        return logits;
    }

    /** Frees these sequences' KV in every stage. */
    public void release(List<StageChunk> sequences) {
        first.release(sequences.stream().map(StageChunk::sequence).toList());
        if (next != null) {
            next.release(sequences);
        }
    }

    @Override
    public void close() {
        if (next != null) {
            next.close();
        }
    }
}
