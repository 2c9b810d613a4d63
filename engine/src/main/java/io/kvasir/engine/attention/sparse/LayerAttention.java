package io.kvasir.engine.attention.sparse;

import io.kvasir.engine.attention.AttentionInputs;
import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.DualChunkAttention;
import io.kvasir.engine.attention.PagedAttention;
import io.kvasir.engine.kv.BlockTable;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.KvPrecision;
import io.kvasir.engine.tensor.Parallel;

/**
 * One attention layer over a whole prompt held in a paged KV cache, for benchmarks, recall measurement and the
 * pattern search: runs a plan over chosen heads and query blocks, writing outputs and per-row log-sum-exp.
 */
public final class LayerAttention {

    private final int tokens, heads, kvHeads, headDim;
    private final float[] q;
    private final KvCache cache;
    private final BlockTable table;
    private final PagedAttention kernel;

    /** Layouts: q {@code [tokens][heads][headDim]}, k and v {@code [tokens][kvHeads][headDim]}. */
    public LayerAttention(int tokens, int heads, int kvHeads, int headDim, float[] q, float[] k, float[] v,
                          KvPrecision precision) {
        this.tokens = tokens;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.q = q;
        this.cache = new KvCache(1, kvHeads, headDim, AttentionInputs.keyBlocks(tokens), precision);
        this.table = new BlockTable(cache);
        table.append(tokens);
        for (int pos = 0; pos < tokens; pos++) {
            int block = table.physicalBlock(pos / KvCache.BLOCK_TOKENS);
            for (int h = 0; h < kvHeads; h++) {
                int at = (pos * kvHeads + h) * headDim;
                cache.layer(0).write(block, pos % KvCache.BLOCK_TOKENS, h, k, at, v, at);
            }
        }
        this.kernel = new PagedAttention(heads, kvHeads, headDim);
    }

    public static LayerAttention of(PlantedAttention a) {
        return new LayerAttention(a.tokens(), a.heads(), a.kvHeads(), a.headDim(), a.q(), a.k(), a.v(), KvPrecision.F32);
    }

    public int tokens() {
        return tokens;
    }

    public int heads() {
        return heads;
    }

    public int queryBlocks() {
        return AttentionInputs.keyBlocks(tokens);
    }

    /** The whole prompt as one chunk: what a planner sees when the prompt is prefilled at once. */
    public AttentionInputs inputs() {
        return new AttentionInputs(cache.layer(0), table, q, 0, tokens, 0, heads, kvHeads, headDim, 0);
    }

    /**
     * Runs {@code plan} for every head in {@code headList} and query block in {@code blocks}, in parallel; writes
     * outputs into {@code out} ({@code [tokens][heads][headDim]}) and log-sum-exp into {@code lse}
     * ({@code [tokens][heads]}).
     */
    public void run(AttentionPlan plan, int[] headList, int[] blocks, float[] out, float[] lse) {
        Parallel.forEach(headList.length * blocks.length, task -> {
            int head = headList[task / blocks.length];
            int rowStart = blocks[task % blocks.length] * PagedAttention.QUERY_BLOCK;
            int rowEnd = Math.min(tokens, rowStart + PagedAttention.QUERY_BLOCK);
            kernel.attend(cache.layer(0), table, plan, 0, q, 0, 0, head, rowStart, rowEnd, out, 0, lse);
        });
    }

    /**
     * Dual-chunk attention over the whole prompt: {@code queries} holds the intra, successive and inter rotations
     * ({@code [tokens][heads][headDim]} each, the keys in the cache rotated at their DCA positions), {@code plan} the
     * sparse keys or null for dense DCA. Writes outputs and the merged log-sum-exp like {@link #run}. Works one query
     * block at a time (all heads) on copies of its rows, so the scratch is a block's, not the prompt's.
     */
    public void runDualChunk(float[][] queries, int chunkLength, AttentionPlan plan, int[] headList, int[] blocks,
                             float[] out, float[] lse) {
        DualChunkAttention dca = new DualChunkAttention(kernel, heads, headDim, chunkLength);
        int width = heads * headDim;
        ThreadLocal<float[][]> scratch = ThreadLocal.withInitial(() -> new float[10][]);
        Parallel.forEach(blocks.length, task -> {
            int rowStart = blocks[task] * PagedAttention.QUERY_BLOCK;
            int rows = Math.min(tokens, rowStart + PagedAttention.QUERY_BLOCK) - rowStart;
            float[][] s = scratch.get();
            if (s[0] == null) {
                for (int i = 0; i < 7; i++) {
                    s[i] = new float[PagedAttention.QUERY_BLOCK * width];
                }
                for (int i = 7; i < 10; i++) {
                    s[i] = new float[PagedAttention.QUERY_BLOCK * heads];
                }
            }
            float[][] blockQueries = {s[0], s[1], s[2]}, parts = {s[3], s[4], s[5]}, partLse = {s[7], s[8], s[9]};
            for (int r = 0; r < 3; r++) {
                System.arraycopy(queries[r], rowStart * width, blockQueries[r], 0, rows * width);
            }
            for (int head : headList) {
                dca.attend(cache.layer(0), table, blockQueries, 0, rowStart, head, 0, rows, plan, s[6], parts, partLse);
                for (int row = 0; row < rows; row++) {
                    int l = row * heads + head;
                    System.arraycopy(s[6], l * headDim, out, (rowStart * heads + l) * headDim, headDim);
                    double max = Math.max(partLse[0][l], Math.max(partLse[1][l], partLse[2][l])), sum = 0;
                    for (int r = 0; r < 3; r++) {
                        sum += partLse[r][l] == Float.NEGATIVE_INFINITY ? 0 : Math.exp(partLse[r][l] - max);
                    }
                    lse[rowStart * heads + l] = (float) (max + Math.log(sum));
                }
            }
        });
    }

    /** The whole prompt as one dual-chunk chunk: intra queries in {@code q} of {@code queries[0]}, the others after. */
    public AttentionInputs dualChunkInputs(float[][] queries, int chunkLength) {
        return new AttentionInputs(cache.layer(0), table, queries[0], 0, tokens, 0, heads, kvHeads, headDim, 0,
                new float[][]{queries[1], queries[2]}, chunkLength);
    }

    public static int[] range(int n) {
        int[] all = new int[n];
        java.util.Arrays.setAll(all, i -> i);
        return all;
    }
}
