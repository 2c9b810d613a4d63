package io.kvasir.engine.gpu;

import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.KvLayerStorage;
import io.kvasir.engine.kv.TileRef;

/** One layer's keys and values in device memory, F32 in the CPU cache's layout {@code [block][kvHead][64][headDim]}. */
public record GpuKvLayer(DeviceBuffer keys, DeviceBuffer values) implements AutoCloseable {

    /** Copies blocks {@code [0, numBlocks)} of a CPU cache layer (BF16 storage arrives widened to F32). */
    public static GpuKvLayer upload(KvLayerStorage layer, int numBlocks, int numKvHeads, int headDim) {
        int tile = KvCache.BLOCK_TOKENS * headDim;
        float[] keys = new float[numBlocks * numKvHeads * tile];
        float[] values = new float[keys.length];
        float[] scratch = new float[tile];
        TileRef ref = new TileRef();
        for (int b = 0; b < numBlocks; b++) {
            for (int h = 0; h < numKvHeads; h++) {
                int at = (b * numKvHeads + h) * tile;
                layer.keys(b, h, scratch, ref);
                System.arraycopy(ref.array, ref.offset, keys, at, tile);
                layer.values(b, h, scratch, ref);
                System.arraycopy(ref.array, ref.offset, values, at, tile);
            }
        }
        return of(keys, values);
    }

    /** Keys and values already in the device layout. */
    public static GpuKvLayer of(float[] keys, float[] values) {
        return new GpuKvLayer(DeviceBuffer.of(keys), DeviceBuffer.of(values));
    }

    @Override
    public void close() {
        keys.close();
        values.close();
    }
}
