package io.kvasir.engine.kv;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BlockTableTest {

    @Test
    void allocatesBlocksAsTokensArrive() {
        KvCache cache = new KvCache(1, 1, 4, 8, KvPrecision.F32);
        BlockTable t = new BlockTable(cache);
        t.append(1);
        assertEquals(1, t.blockCount());
        t.append(63);
        assertEquals(1, t.blockCount());
        t.append(1);
        assertEquals(2, t.blockCount());
        assertEquals(6, cache.pool().freeBlocks());
        t.release();
        assertEquals(8, cache.pool().freeBlocks());
    }

    @Test
    void forkSharesBlocksAndCopiesThePartialBlockOnWrite() {
        KvCache cache = new KvCache(1, 1, 4, 8, KvPrecision.F32);
        BlockTable a = new BlockTable(cache);
        a.append(100);                                   // one full block + a partial one
        float[] k = {1, 2, 3, 4};
        cache.layer(0).write(a.physicalBlock(1), 35, 0, k, 0, k, 0);
        BlockTable b = a.fork();
        assertEquals(2, cache.pool().refCount(a.physicalBlock(0)));
        b.append(1);                                     // writes into the shared partial block: copy first
        assertEquals(a.physicalBlock(0), b.physicalBlock(0));
        assertNotEquals(a.physicalBlock(1), b.physicalBlock(1));
        TileRef ref = new TileRef();
        cache.layer(0).keys(b.physicalBlock(1), 0, new float[64 * 4], ref);
        assertEquals(3f, ref.array[ref.offset + 35 * 4 + 2]);  // the copy kept the earlier keys
        a.release();
        b.release();
        assertEquals(8, cache.pool().freeBlocks());
    }

    @Test
    void fullPoolChangesNothing() {
        KvCache cache = new KvCache(1, 1, 4, 2, KvPrecision.BF16);
        BlockTable t = new BlockTable(cache);
        t.append(64);
        assertThrows(KvCacheFullException.class, () -> t.append(129));
        assertEquals(64, t.tokens());
        assertEquals(1, cache.pool().freeBlocks());
    }
}
