package io.kvasir.engine.gpu;

import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.KeySpans;
import io.kvasir.engine.attention.PagedAttention;

import java.util.Arrays;

/**
 * An {@link AttentionPlan} evaluated for every (head, 64-row query block) of one call and flattened for the GPU in
 * CSR form: entry {@code p = head * queryBlocks + queryBlock} owns spans {@code spanOffsets[p]..spanOffsets[p+1]}
 * of {@code spanStarts}/{@code spanEnds} and extra columns {@code extraOffsets[p]..extraOffsets[p+1]}.
 */
public record GpuAttentionPlan(int numHeads, int queryBlocks, int[] spanOffsets, int[] spanStarts, int[] spanEnds,
                               int[] extraOffsets, int[] extraColumns) {

    /** The plan for {@code queries} rows whose first sits at {@code firstPosition}, as the CPU kernel would ask it. */
    public static GpuAttentionPlan of(AttentionPlan plan, int numHeads, int queries, int firstPosition) {
        int blocks = GpuKernels.ceilDiv(queries, PagedAttention.QUERY_BLOCK);
        int entries = numHeads * blocks;
        int[] spanOffsets = new int[entries + 1];
        int[] extraOffsets = new int[entries + 1];
        IntList starts = new IntList();
        IntList ends = new IntList();
        IntList extras = new IntList();
        for (int h = 0; h < numHeads; h++) {
            for (int b = 0; b < blocks; b++) {
                int first = firstPosition + b * PagedAttention.QUERY_BLOCK;
                int last = firstPosition + Math.min(queries, (b + 1) * PagedAttention.QUERY_BLOCK) - 1;
                KeySpans spans = plan.spans(h, first, last);
                starts.addAll(spans.starts());
                ends.addAll(spans.ends());
                extras.addAll(spans.extraColumns());
                int p = h * blocks + b;
                spanOffsets[p + 1] = starts.size;
                extraOffsets[p + 1] = extras.size;
            }
        }
        return new GpuAttentionPlan(numHeads, blocks, spanOffsets, starts.toArray(), ends.toArray(), extraOffsets,
                extras.toArray());
    }

    /** The plan's arrays in device memory, for {@link GpuPagedAttention}. */
    public Device upload() {
        return new Device(queryBlocks, DeviceBuffer.of(spanOffsets), DeviceBuffer.of(spanStarts), DeviceBuffer.of(spanEnds),
                DeviceBuffer.of(extraOffsets), DeviceBuffer.of(extraColumns));
    }

    public record Device(int queryBlocks, DeviceBuffer spanOffsets, DeviceBuffer spanStarts, DeviceBuffer spanEnds,
                         DeviceBuffer extraOffsets, DeviceBuffer extraColumns) implements AutoCloseable {
        @Override
        public void close() {
            spanOffsets.close();
            spanStarts.close();
            spanEnds.close();
            extraOffsets.close();
            extraColumns.close();
        }
    }

    /** A growable int array: plans at 128K tokens hold tens of millions of entries, too many to box. */
    private static final class IntList {
        int[] values = new int[1024];
        int size;

        void addAll(int[] more) {
            if (size + more.length > values.length) {
                values = Arrays.copyOf(values, Math.max(values.length * 2, size + more.length));
            }
            System.arraycopy(more, 0, values, size, more.length);
            size += more.length;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
