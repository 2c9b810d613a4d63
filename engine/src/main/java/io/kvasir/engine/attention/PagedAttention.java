package io.kvasir.engine.attention;

import io.kvasir.engine.kv.BlockTable;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.KvLayerStorage;
import io.kvasir.engine.kv.TileRef;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * The one attention kernel: tiled online softmax ("flash" attention) over 64-token paged KV blocks, with GQA,
 * the causal mask, an optional sliding window, executing an {@link AttentionPlan}. One call computes one query
 * head for up to 64 consecutive query rows of one sequence, so callers parallelize over (sequence, head, block).
 *
 * <p>The keys a plan names are gathered, 64 at a time, into a transposed key tile and a value tile; ranges at any
 * offset and scattered extra columns cost the same per key. A gathered tile wholly visible to every row of the
 * query block skips masking; only tiles that straddle the diagonal (or the window edge) are masked.
 */
public final class PagedAttention {

    public static final int QUERY_BLOCK = KvCache.BLOCK_TOKENS;
    /** Keys per gathered tile. */
    private static final int TILE = KvCache.BLOCK_TOKENS;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private final int numHeads;
    private final int headDim;
    private final int groupSize;
    private final float scale;
    private final ThreadLocal<Scratch> scratch;

    public PagedAttention(int numHeads, int numKvHeads, int headDim) {
        if (TILE % (4 * F.length()) != 0) {
            throw new IllegalStateException("4 vectors of " + F.length() + " lanes do not divide the tile width " + TILE);
        }
        this.numHeads = numHeads;
        this.headDim = headDim;
        this.groupSize = numHeads / numKvHeads;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(headDim));
    }

    /**
     * Attention of query head {@code head} for rows {@code [rowStart, rowEnd)} (at most {@link #QUERY_BLOCK}) of
     * {@code q} ({@code rows × numHeads × headDim} from {@code qOffset}), whose row 0 sits at position
     * {@code firstPosition}; writes into {@code out} in the same layout. {@code lse}, when not null, receives each
     * row's log-sum-exp of scaled scores at {@code lse[row * numHeads + head]} (for sparse-attention recall).
     */
    public void attend(KvLayerStorage kv, BlockTable table, AttentionPlan plan, int window,
                       float[] q, int qOffset, int firstPosition, int head, int rowStart, int rowEnd,
                       float[] out, int outOffset, float[] lse) {
        int rows = rowEnd - rowStart;
        if (rows <= 0 || rows > QUERY_BLOCK) {
            throw new IllegalArgumentException("query block of " + rows + " rows");
        }
        Scratch s = scratch.get();
        int firstPos = firstPosition + rowStart;
        int lastPos = firstPosition + rowEnd - 1;
        s.begin(kv, table, head / groupSize, rows, firstPos, window);
        KeySpans spans = plan.spans(head, firstPos, lastPos);
        int lowest = window > 0 ? Math.max(0, firstPos - window + 1) : 0;   // no row of the block sees keys below
        for (int i = 0; i < spans.starts().length; i++) {
            int end = Math.min(spans.ends()[i], lastPos + 1);
            int pos = Math.max(lowest, spans.starts()[i]);
            while (pos < end) {
                int blockEnd = (pos / KvCache.BLOCK_TOKENS + 1) * KvCache.BLOCK_TOKENS;
                int n = Math.min(Math.min(end, blockEnd), pos + TILE - s.count) - pos;
                s.gather(pos, n);
                pos += n;
                if (s.count == TILE) {
                    flush(s, q, qOffset, head, rowStart);
                }
            }
        }
        for (int column : spans.extraColumns()) {
            if (column >= lowest && column <= lastPos) {
                s.gather(column, 1);
                if (s.count == TILE) {
                    flush(s, q, qOffset, head, rowStart);
                }
            }
        }
        if (s.count > 0) {
            flush(s, q, qOffset, head, rowStart);
        }
        for (int r = 0; r < rows; r++) {
            int o = outOffset + ((rowStart + r) * numHeads + head) * headDim;
            float inv = s.sum[r] > 0 ? 1f / s.sum[r] : 0f;
            for (int d = 0; d < headDim; d++) {
                out[o + d] = s.acc[r * headDim + d] * inv;
            }
            if (lse != null) {
                lse[(rowStart + r) * numHeads + head] = s.sum[r] > 0 ? (float) (s.max[r] + Math.log(s.sum[r])) : Float.NEGATIVE_INFINITY;
            }
        }
    }

    /** Folds the gathered keys into every row's running softmax, then empties the tile. */
    private void flush(Scratch s, float[] q, int qOffset, int head, int rowStart) {
        int n = s.count;
        boolean masked = s.maxKeyPos > s.firstPos || (s.window > 0 && s.minKeyPos <= s.firstPos + s.rows - 1 - s.window);
        for (int c = n; c < TILE; c++) {
            s.keyPos[c] = Integer.MAX_VALUE;                                 // empty lanes: never visible
        }
        for (int r = 0; r < s.rows; r++) {
            int pos = s.firstPos + r;
            int qAt = qOffset + ((rowStart + r) * numHeads + head) * headDim;
            scores(s, q, qAt);
            if (masked || n < TILE) {
                int windowFloor = s.window > 0 ? pos - s.window : Integer.MIN_VALUE;
                boolean any = false;
                for (int c = 0; c < TILE; c++) {
                    if (s.keyPos[c] > pos || s.keyPos[c] <= windowFloor) {
                        s.scores[c] = Float.NEGATIVE_INFINITY;
                    } else {
                        any = true;
                    }
                }
                if (!any) {
                    continue;
                }
            }
            float tileMax = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < TILE; c += F.length()) {
                tileMax = Math.max(tileMax, FloatVector.fromArray(F, s.scores, c).reduceLanes(VectorOperators.MAX));
            }
            float newMax = Math.max(s.max[r], tileMax);
            if (newMax > s.max[r] && s.sum[r] > 0) {
                float correction = (float) Math.exp(s.max[r] - newMax);
                s.sum[r] *= correction;
                for (int d = 0; d < headDim; d++) {
                    s.acc[r * headDim + d] *= correction;
                }
            }
            s.max[r] = newMax;
            float sum = 0;
            for (int c = 0; c < TILE; c += F.length()) {
                FloatVector p = FloatVector.fromArray(F, s.scores, c).sub(newMax).lanewise(VectorOperators.EXP);
                p.intoArray(s.scores, c);
                sum += p.reduceLanes(VectorOperators.ADD);
            }
            s.sum[r] += sum;
            accumulateValues(s, n, r * headDim);
        }
        s.clear();
    }

    /**
     * scores[c] = scale · q · k_c for the 64 gathered keys, reading the transposed tile one dimension at a time; four
     * independent accumulators hide the FMA latency (one chain would stall on each add).
     */
    private void scores(Scratch s, float[] q, int qAt) {
        int l = F.length();
        for (int c = 0; c < TILE; c += 4 * l) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int d = 0; d < headDim; d++) {
                FloatVector qd = FloatVector.broadcast(F, q[qAt + d]);
                int at = d * TILE + c;
                a0 = FloatVector.fromArray(F, s.keysT, at).fma(qd, a0);
                a1 = FloatVector.fromArray(F, s.keysT, at + l).fma(qd, a1);
                a2 = FloatVector.fromArray(F, s.keysT, at + 2 * l).fma(qd, a2);
                a3 = FloatVector.fromArray(F, s.keysT, at + 3 * l).fma(qd, a3);
            }
            a0.mul(scale).intoArray(s.scores, c);
            a1.mul(scale).intoArray(s.scores, c + l);
            a2.mul(scale).intoArray(s.scores, c + 2 * l);
            a3.mul(scale).intoArray(s.scores, c + 3 * l);
        }
    }

    /** acc[row] += Σ_c p_c · v_c, four vectors of the head dimension at a time so they stay in registers. */
    private void accumulateValues(Scratch s, int n, int accAt) {
        int l = F.length();
        int d = 0;
        for (; d + 4 * l <= headDim; d += 4 * l) {
            FloatVector a0 = FloatVector.fromArray(F, s.acc, accAt + d);
            FloatVector a1 = FloatVector.fromArray(F, s.acc, accAt + d + l);
            FloatVector a2 = FloatVector.fromArray(F, s.acc, accAt + d + 2 * l);
            FloatVector a3 = FloatVector.fromArray(F, s.acc, accAt + d + 3 * l);
            for (int c = 0; c < n; c++) {
                FloatVector p = FloatVector.broadcast(F, s.scores[c]);
                int at = c * headDim + d;
                a0 = FloatVector.fromArray(F, s.values, at).fma(p, a0);
                a1 = FloatVector.fromArray(F, s.values, at + l).fma(p, a1);
                a2 = FloatVector.fromArray(F, s.values, at + 2 * l).fma(p, a2);
                a3 = FloatVector.fromArray(F, s.values, at + 3 * l).fma(p, a3);
            }
            a0.intoArray(s.acc, accAt + d);
            a1.intoArray(s.acc, accAt + d + l);
            a2.intoArray(s.acc, accAt + d + 2 * l);
            a3.intoArray(s.acc, accAt + d + 3 * l);
        }
        for (; d < headDim; d += l) {
            VectorMask<Float> lanes = F.indexInRange(d, headDim);
            FloatVector acc = FloatVector.fromArray(F, s.acc, accAt + d, lanes);
            for (int c = 0; c < n; c++) {
                acc = FloatVector.fromArray(F, s.values, c * headDim + d, lanes).fma(FloatVector.broadcast(F, s.scores[c]), acc);
            }
            acc.intoArray(s.acc, accAt + d, lanes);
        }
    }

    /** Per-thread working memory for one query block: running softmax state and the gathered key/value tile. */
    private static final class Scratch {
        final int headDim;
        final float[] max = new float[QUERY_BLOCK];
        final float[] sum = new float[QUERY_BLOCK];
        final float[] scores = new float[TILE];
        final float[] acc;
        final float[] keysT;
        final float[] values;
        final int[] keyPos = new int[TILE];
        final float[] keyTile;
        final float[] valueTile;
        final TileRef keys = new TileRef();
        final TileRef vals = new TileRef();
        KvLayerStorage kv;
        BlockTable table;
        int kvHead, rows, firstPos, window, count, minKeyPos, maxKeyPos;
        int loadedBlock;

        Scratch(int headDim) {
            this.headDim = headDim;
            acc = new float[QUERY_BLOCK * headDim];
            keysT = new float[headDim * TILE];
            values = new float[TILE * headDim];
            keyTile = new float[KvCache.BLOCK_TOKENS * headDim];
            valueTile = new float[KvCache.BLOCK_TOKENS * headDim];
        }

        void begin(KvLayerStorage kv, BlockTable table, int kvHead, int rows, int firstPos, int window) {
            this.kv = kv;
            this.table = table;
            this.kvHead = kvHead;
            this.rows = rows;
            this.firstPos = firstPos;
            this.window = window;
            this.loadedBlock = -1;
            Arrays.fill(max, 0, rows, Float.NEGATIVE_INFINITY);
            Arrays.fill(sum, 0, rows, 0f);
            Arrays.fill(acc, 0, rows * headDim, 0f);
            clear();
        }

        void clear() {
            count = 0;
            minKeyPos = Integer.MAX_VALUE;
            maxKeyPos = Integer.MIN_VALUE;
        }

        /** Appends keys [pos, pos + n) (all in one KV block) to the tile: keys transposed, values as rows. */
        void gather(int pos, int n) {
            int logical = pos / KvCache.BLOCK_TOKENS;
            if (logical != loadedBlock) {
                int physical = table.physicalBlock(logical);
                kv.keys(physical, kvHead, keyTile, keys);
                kv.values(physical, kvHead, valueTile, vals);
                loadedBlock = logical;
            }
            int slot = pos - logical * KvCache.BLOCK_TOKENS;
            for (int j = 0; j < n; j++, count++) {
                int src = keys.offset + (slot + j) * headDim;
                for (int d = 0; d < headDim; d++) {
                    keysT[d * TILE + count] = keys.array[src + d];
                }
                System.arraycopy(vals.array, vals.offset + (slot + j) * headDim, values, count * headDim, headDim);
                keyPos[count] = pos + j;
            }
            minKeyPos = Math.min(minKeyPos, pos);
            maxKeyPos = Math.max(maxKeyPos, pos + n - 1);
        }
    }
}
