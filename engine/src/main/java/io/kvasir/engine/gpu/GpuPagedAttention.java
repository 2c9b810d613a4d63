package io.kvasir.engine.gpu;

import io.kvasir.engine.attention.PagedAttention;

/**
 * The GPU twin of {@link PagedAttention}: tiled online-softmax attention over 64-token paged KV blocks, GQA, the
 * causal mask and an optional sliding window, executing a {@link GpuAttentionPlan}. One call covers every head and
 * query block of one sequence's {@code queries} rows.
 */
public final class GpuPagedAttention {

    private static final int THREADS = 256;
    private static final java.util.Set<Integer> HEAD_DIMS = java.util.Set.of(32, 64, 96, 128);

    private final int numHeads;
    private final int numKvHeads;
    private final int headDim;
    private final float scale;

    public GpuPagedAttention(int numHeads, int numKvHeads, int headDim) {
        if (!HEAD_DIMS.contains(headDim)) {
            throw new IllegalArgumentException("GPU attention has kernels for head dims 32, 64, 96, 128, not " + headDim);
        }
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException(numHeads + " query heads do not group over " + numKvHeads + " KV heads");
        }
        this.numHeads = numHeads;
        this.numKvHeads = numKvHeads;
        this.headDim = headDim;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
    }

    /**
     * Attention of {@code queries} rows of {@code q} ({@code queries × numHeads × headDim}), row 0 at position
     * {@code firstPosition}, into {@code out} (same layout); {@code lse}, when not null, receives each row's
     * log-sum-exp of scaled scores at {@code [row * numHeads + head]}. {@code blockTable} maps logical to physical
     * KV blocks (int32).
     */
    public void attend(GpuKvLayer kv, DeviceBuffer blockTable, GpuAttentionPlan.Device plan, int window,
                       DeviceBuffer q, int queries, int firstPosition, DeviceBuffer out, DeviceBuffer lse) {
        int blocks = GpuKernels.ceilDiv(queries, PagedAttention.QUERY_BLOCK);
        if (plan.queryBlocks() != blocks) {
            throw new IllegalArgumentException("plan has " + plan.queryBlocks() + " query blocks, the call " + blocks);
        }
        // Q and K tiles with a padded row (headDim + 4) and the V tile, F32, 64 rows each.
        int shared = Float.BYTES * PagedAttention.QUERY_BLOCK * (2 * (headDim + 4) + headDim);
        KernelLaunch.of("paged_attention_hd" + headDim).grid(blocks, numHeads).block(THREADS).sharedBytes(shared)
                .run(q, kv.keys(), kv.values(), blockTable, plan.spanOffsets(), plan.spanStarts(), plan.spanEnds(),
                        plan.extraOffsets(), plan.extraColumns(), out, lse,
                        numHeads, numKvHeads, queries, firstPosition, window, scale);
    }
}
