package io.kvasir.engine.model;

import io.kvasir.engine.attention.AttentionInputs;
import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.AttentionPlanner;
import io.kvasir.engine.attention.DualChunkAttention;
import io.kvasir.engine.attention.PagedAttention;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.KvCacheFullException;
import io.kvasir.engine.kv.KvLayerStorage;
import io.kvasir.engine.tensor.Parallel;
import io.kvasir.engine.tensor.SharedInputProducts;
import io.kvasir.engine.tensor.VectorOps;

import java.util.Arrays;
import java.util.List;

/**
 * The forward pass of a Qwen2/Llama decoder over a batch of {@link SequenceChunk}s: every matrix product runs once
 * over all T tokens of the batch; attention runs per sequence over its own paged KV cache. Not thread-safe: one
 * pass at a time (its buffers are reused).
 */
public final class Transformer {

    private final ModelConfig c;
    private final ModelWeights w;
    private final KvCache cache;
    private final RotaryEmbedding rope;
    private final PagedAttention attention;
    private final AttentionPlanner planner;
    private final DualChunkAttentionConfig dca;
    private final DualChunkAttention dualChunk;
    private ForwardBuffers buf = new ForwardBuffers(0, null);
    /** Each layer's q, k and v products as one job; made on a layer's first use (a pipeline stage has only some). */
    private final SharedInputProducts[] qkv;

    public Transformer(ModelConfig config, ModelWeights weights, KvCache cache) {
        this(config, weights, cache, null);
    }

    /** {@code planner} chooses each layer's plan for chunks that bring none; null means dense attention. */
    public Transformer(ModelConfig config, ModelWeights weights, KvCache cache, AttentionPlanner planner) {
        this.planner = planner;
        this.c = config;
        this.w = weights;
        this.cache = cache;
        this.rope = new RotaryEmbedding(config);
        this.attention = new PagedAttention(config.numHeads(), config.numKvHeads(), config.headDim());
        this.dca = config.dualChunkAttention();
        this.dualChunk = dca == null ? null
                : new DualChunkAttention(attention, config.numHeads(), config.headDim(), dca.chunkLength());
        this.qkv = new SharedInputProducts[config.numLayers()];
    }

    public ModelConfig config() {
        return c;
    }

    public KvCache cache() {
        return cache;
    }

    /**
     * Runs the chunks through the model, appending their K/V to each sequence's cache, and returns the logits:
     * {@code [Σ logitRows × vocab]}, chunk by chunk in order. On a full KV cache nothing is appended.
     */
    public float[] forward(List<SequenceChunk> chunks) {
        return forwardLayers(chunks, null, 0, c.numLayers());
    }

    /**
     * A pipeline stage's share of the pass: layers [{@code from}, {@code to}) over the chunks, appending their K/V for
     * those layers only. Input: the token embeddings when {@code hiddenIn} is null (the first stage), else the
     * previous stage's hidden states {@code [T×H]}. Output: the logits as {@link #forward} returns them when
     * {@code to} is the last layer, else the hidden states {@code [T×H]} for the next stage.
     */
    public float[] forwardLayers(List<SequenceChunk> chunks, float[] hiddenIn, int from, int to) {
        if (from < 0 || from >= to || to > c.numLayers()) {
            throw new IllegalArgumentException("layer range [" + from + ", " + to + ") of " + c.numLayers() + " layers");
        }
        Batch b = Batch.reserve(chunks);
        try {
            return run(b, hiddenIn, from, to);
        } catch (RuntimeException | Error e) {
            b.rollback();
            throw e;
        }
    }

    private float[] run(Batch b, float[] hiddenIn, int from, int to) {
        int T = b.tokens, H = c.hiddenSize(), hd = c.headDim();
        int qDim = c.numHeads() * hd, kvDim = c.numKvHeads() * hd;
        ForwardBuffers f = buffers(T);
        TokenBatch tokens = new TokenBatch(b.chunks, b.token, b.position, b.chunkOf);

        if (hiddenIn != null) {                                         // x[T×H] = previous stage's output
            System.arraycopy(hiddenIn, 0, f.x, 0, T * H);
        } else {
            for (int t = 0; t < T; t++) {                               // x[T×H] = embed(tokens)
                w.embedding.copyRow(b.token[t], f.x, t * H);
            }
        }
        int half = hd / 2;
        for (int t = 0; t < T; t++) {                                   // cos/sin[T×hd/2], shared by all layers
            rope.angles(dca == null ? b.position[t] : dca.keyPosition(b.position[t]), f.cosRow, f.sinRow);
            System.arraycopy(f.cosRow, 0, f.cos, t * half, half);
            System.arraycopy(f.sinRow, 0, f.sin, t * half, half);
        }
        for (int l = from; l < to; l++) {
            LayerWeights lw = w.layers[l];
            rmsNormRows(f.x, lw.inputNorm(), f.xn, T, H);                // xn[T×H]
            if (qkv[l] == null) {
                qkv[l] = new SharedInputProducts(lw.q(), lw.k(), lw.v());
            }
            qkv[l].multiply(f.xn, new float[][]{f.q, f.k, f.v}, T);      // q[T×nH×hd], k, v[T×nKv×hd]
            addBiasRows(f.q, lw.qBias(), T, qDim);
            addBiasRows(f.k, lw.kBias(), T, kvDim);
            addBiasRows(f.v, lw.vBias(), T, kvDim);
            if (dca != null) {
                DualChunkQueries.rotate(dca, rope, b.position, b.sequenceLength, f.q, f.dcaQueries, T, c.numHeads());
            }
            for (int t = 0; t < T; t++) {
                rope.rotate(f.q, t * qDim, c.numHeads(), f.cos, f.sin, t * half);   // DCA: these are the intra queries
                rope.rotate(f.k, t * kvDim, c.numKvHeads(), f.cos, f.sin, t * half);
            }
            if (dca != null) {
                DualChunkQueries.scale(dca, b.sequenceLength, f.q, T, qDim);
            }
            storeKv(b, cache.layer(l), f.k, f.v, T);
            attend(b, l, f.q, f.attn);                                  // attn[T×nH×hd]
            lw.o().multiply(f.attn, f.tmp, T);                          // x += o(attn)
            VectorOps.add(f.x, 0, f.tmp, 0, T * H);

            rmsNormRows(f.x, lw.postAttentionNorm(), f.xn, T, H);
            lw.mlp().apply(tokens, f.xn, f.tmp);                        // x += mlp(xn): dense or experts
            VectorOps.add(f.x, 0, f.tmp, 0, T * H);
        }
        if (to < c.numLayers()) {
            return Arrays.copyOf(f.x, T * H);
        }
        int rows = b.logitRows.length;                                  // final norm + lm_head on the rows asked for
        for (int r = 0; r < rows; r++) {
            VectorOps.rmsNorm(f.x, b.logitRows[r] * H, w.finalNorm, (float) c.rmsNormEps(), f.xn, r * H, H);
        }
        float[] logits = new float[rows * c.vocabSize()];
        w.lmHead.multiply(f.xn, logits, rows);
        return logits;
    }

    private void rmsNormRows(float[] x, float[] weight, float[] out, int rows, int width) {
        float eps = (float) c.rmsNormEps();
        for (int t = 0; t < rows; t++) {
            VectorOps.rmsNorm(x, t * width, weight, eps, out, t * width, width);
        }
    }

    private static void addBiasRows(float[] x, float[] bias, int rows, int width) {
        if (bias != null) {
            for (int t = 0; t < rows; t++) {
                VectorOps.add(x, t * width, bias, 0, width);
            }
        }
    }

    private void storeKv(Batch b, KvLayerStorage kv, float[] k, float[] v, int T) {
        int hd = c.headDim(), kvDim = c.numKvHeads() * hd;
        for (int t = 0; t < T; t++) {
            int pos = b.position[t];
            int block = b.chunks.get(b.chunkOf[t]).table().physicalBlock(pos / KvCache.BLOCK_TOKENS);
            for (int h = 0; h < c.numKvHeads(); h++) {
                kv.write(block, pos % KvCache.BLOCK_TOKENS, h, k, t * kvDim + h * hd, v, t * kvDim + h * hd);
            }
        }
    }

    /**
     * One task per (chunk, query head, 64-row query block), spread over the shared pool. Each chunk's plan is its own
     * (a fixed {@link SequenceChunk#plan()}) or the planner's for this layer, estimated from the chunk's queries and
     * the keys cached so far (this chunk's included).
     */
    private void attend(Batch b, int layer, float[] q, float[] out) {
        KvLayerStorage kv = cache.layer(layer);
        if (dca != null) {
            attendDualChunk(b, layer, kv, q, out);
            return;
        }
        int heads = c.numHeads();
        int window = c.slidingWindowOf(layer);
        AttentionPlan dense = AttentionPlan.dense(window);
        AttentionPlan[] plans = new AttentionPlan[b.chunks.size()];
        for (int i = 0; i < plans.length; i++) {
            SequenceChunk chunk = b.chunks.get(i);
            int first = b.firstToken[i];
            AttentionPlan plan = chunk.plan();
            AttentionPlanner chunkPlanner = plannerFor(chunk);
            if (plan == null && chunkPlanner != null) {
                plan = chunkPlanner.plan(layer, new AttentionInputs(kv, chunk.table(), q, first * heads * c.headDim(),
                        chunk.tokens().length, b.position[first], heads, c.numKvHeads(), c.headDim(), window));
            }
            plans[i] = plan != null ? plan : dense;
        }
        int[] taskChunk = b.taskChunk, taskBlock = b.taskBlock;
        Parallel.forEach(taskChunk.length * heads, task -> {
            int i = task / heads, head = task % heads;
            SequenceChunk chunk = b.chunks.get(taskChunk[i]);
            int first = b.firstToken[taskChunk[i]];
            int rowStart = taskBlock[i] * PagedAttention.QUERY_BLOCK;
            int rowEnd = Math.min(chunk.tokens().length, rowStart + PagedAttention.QUERY_BLOCK);
            int qOffset = first * heads * c.headDim();
            attention.attend(kv, chunk.table(), plans[taskChunk[i]], window,
                    q, qOffset, b.position[first], head, rowStart, rowEnd, out, qOffset, null);
        });
    }

    /** The chunk's own planner if it brings one, else the engine's (null: dense). */
    private AttentionPlanner plannerFor(SequenceChunk chunk) {
        return chunk.planner() != null ? chunk.planner() : planner;
    }

    /**
     * Dual-chunk attention: three rotations of each query, merged per row. Chunks of sequences longer than the
     * sparse threshold use the planner's plan, estimated with all three rotations.
     */
    private void attendDualChunk(Batch b, int layer, KvLayerStorage kv, float[] q, float[] out) {
        int heads = c.numHeads();
        ForwardBuffers f = buf;
        float[][] queries = {q, f.dcaQueries[0], f.dcaQueries[1]};
        float[][][] partLse = new float[b.chunks.size()][3][];
        AttentionPlan[] plans = new AttentionPlan[b.chunks.size()];
        for (int i = 0; i < partLse.length; i++) {
            SequenceChunk chunk = b.chunks.get(i);
            for (int r = 0; r < 3; r++) {
                partLse[i][r] = new float[chunk.tokens().length * heads];
            }
            int first = b.firstToken[i], rows = chunk.tokens().length;
            plans[i] = chunk.plan();
            AttentionPlanner chunkPlanner = plannerFor(chunk);
            if (plans[i] == null && chunkPlanner != null && b.position[first] + rows >= dca.sparseAttentionThreshold()) {
                plans[i] = chunkPlanner.plan(layer, new AttentionInputs(kv, chunk.table(), q, first * heads * c.headDim(), rows,
                        b.position[first], heads, c.numKvHeads(), c.headDim(), 0, f.dcaQueries, dca.chunkLength()));
            }
        }
        int[] taskChunk = b.taskChunk, taskBlock = b.taskBlock;
        Parallel.forEach(taskChunk.length * heads, task -> {
            int i = task / heads, head = task % heads;
            SequenceChunk chunk = b.chunks.get(taskChunk[i]);
            int first = b.firstToken[taskChunk[i]];
            int rowStart = taskBlock[i] * PagedAttention.QUERY_BLOCK;
            int rowEnd = Math.min(chunk.tokens().length, rowStart + PagedAttention.QUERY_BLOCK);
            dualChunk.attend(kv, chunk.table(), queries, first * heads * c.headDim(), b.position[first], head,
                    rowStart, rowEnd, plans[taskChunk[i]], out, f.dcaParts, partLse[taskChunk[i]]);
        });
    }

    private ForwardBuffers buffers(int tokens) {
        if (buf.capacity < tokens) {
            buf = new ForwardBuffers(Math.max(tokens, buf.capacity * 2), c);
        }
        return buf;
    }

    /** The flattened batch: per token its id, position and chunk; per attention task its chunk and query block. */
    private static final class Batch {
        final List<SequenceChunk> chunks;
        final int tokens;
        final int[] token, position, chunkOf, firstToken, logitRows, taskChunk, taskBlock;
        /** Per token, its sequence's length through this chunk (DCA's temperature depends on it). */
        final int[] sequenceLength;
        private final int[] startLengths;

        private Batch(List<SequenceChunk> chunks) {
            this.chunks = chunks;
            int total = 0, rows = 0, tasks = 0;
            for (SequenceChunk ch : chunks) {
                total += ch.tokens().length;
                rows += ch.logitRows();
                tasks += (ch.tokens().length + PagedAttention.QUERY_BLOCK - 1) / PagedAttention.QUERY_BLOCK;
            }
            tokens = total;
            token = new int[total];
            position = new int[total];
            sequenceLength = new int[total];
            chunkOf = new int[total];
            firstToken = new int[chunks.size()];
            logitRows = new int[rows];
            taskChunk = new int[tasks];
            taskBlock = new int[tasks];
            startLengths = new int[chunks.size()];
        }

        /** Appends every chunk's positions to its block table, all or nothing. */
        static Batch reserve(List<SequenceChunk> chunks) {
            Batch b = new Batch(chunks);
            int t = 0, r = 0, task = 0;
            for (int i = 0; i < chunks.size(); i++) {
                SequenceChunk ch = chunks.get(i);
                int start = ch.table().tokens();
                b.startLengths[i] = start;
                try {
                    ch.table().append(ch.tokens().length);
                } catch (KvCacheFullException e) {
                    for (int j = 0; j < i; j++) {
                        chunks.get(j).table().truncate(b.startLengths[j]);
                    }
                    throw e;
                }
                b.firstToken[i] = t;
                for (int j = 0; j < ch.tokens().length; j++, t++) {
                    b.token[t] = ch.tokens()[j];
                    b.position[t] = start + j;
                    b.sequenceLength[t] = start + ch.tokens().length;
                    b.chunkOf[t] = i;
                    if (ch.allLogits() || j == ch.tokens().length - 1) {
                        b.logitRows[r++] = t;
                    }
                }
                for (int qb = 0; qb * PagedAttention.QUERY_BLOCK < ch.tokens().length; qb++, task++) {
                    b.taskChunk[task] = i;
                    b.taskBlock[task] = qb;
                }
            }
            return b;
        }

        void rollback() {
            for (int i = 0; i < chunks.size(); i++) {
                chunks.get(i).table().truncate(startLengths[i]);
            }
        }
    }

    /** Activation buffers for up to {@code capacity} tokens, reused across passes. */
    private static final class ForwardBuffers {
        final int capacity;
        final float[] x, xn, q, k, v, attn, tmp, cos, sin, cosRow, sinRow;
        /** DCA only: successive and inter query rotations, and the three regions' partial outputs. */
        final float[][] dcaQueries, dcaParts;

        ForwardBuffers(int capacity, ModelConfig c) {
            this.capacity = capacity;
            if (c == null) {
                x = xn = q = k = v = attn = tmp = cos = sin = cosRow = sinRow = new float[0];
                dcaQueries = dcaParts = new float[0][];
                return;
            }
            int H = c.hiddenSize(), qDim = c.numHeads() * c.headDim(), kvDim = c.numKvHeads() * c.headDim();
            x = new float[capacity * H];
            xn = new float[capacity * H];
            tmp = new float[capacity * H];
            q = new float[capacity * qDim];
            attn = new float[capacity * qDim];
            k = new float[capacity * kvDim];
            v = new float[capacity * kvDim];
            cos = new float[capacity * c.headDim() / 2];
            sin = new float[capacity * c.headDim() / 2];
            cosRow = new float[c.headDim() / 2];
            sinRow = new float[c.headDim() / 2];
            int dcaArrays = c.dualChunkAttention() == null ? 0 : 1;
            dcaQueries = new float[2 * dcaArrays][capacity * qDim];
            dcaParts = new float[3 * dcaArrays][capacity * qDim];
        }
    }
}
