package io.kvasir.engine.attention.sparse;

import io.kvasir.engine.attention.AttentionInputs;
import io.kvasir.engine.attention.AttentionPlan;
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

    public static int[] range(int n) {
        int[] all = new int[n];
        java.util.Arrays.setAll(all, i -> i);
        return all;
    }
}
