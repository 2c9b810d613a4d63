package io.kvasir.kvstore;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KvBlockRecordTest {

    private static KvBlockRecord record(KvDtype dtype, int tokens) {
        int n = 2 * tokens * 16 * dtype.bytes();
        byte[] k = new byte[n];
        byte[] v = new byte[n];
        Random r = new Random(tokens);
        r.nextBytes(k);
        r.nextBytes(v);
        return new KvBlockRecord(dtype, tokens, 2, 16, KvBlockRecord.allHeads(2), k, v);
    }

    @Test
    void roundTripsEveryDtypeAndPartialBlocks() {
        for (KvDtype dtype : KvDtype.values()) {
            for (int tokens : new int[]{1, 37, 64}) {
                KvBlockRecord r = record(dtype, tokens);
                KvBlockRecord back = KvBlockRecord.decode(r.encode()).orElseThrow();
                assertEquals(dtype, back.dtype());
                assertEquals(tokens, back.tokens());
                assertEquals(2, back.kvHeads());
                assertEquals(16, back.headDim());
                assertArrayEquals(r.k(), back.k());
                assertArrayEquals(r.v(), back.v());
            }
        }
    }

    @Test
    void anyFlippedByteMakesTheRecordMissing() {
        byte[] bytes = record(KvDtype.BF16, 64).encode();
        for (int at = 0; at < bytes.length; at++) {
            byte[] bad = bytes.clone();
            bad[at] ^= (byte) (1 << (at % 8));
            assertTrue(KvBlockRecord.decode(bad).isEmpty(), "flipped byte " + at + " went unnoticed");
        }
    }

    @Test
    void truncatedOrForeignBytesAreMissing() {
        byte[] bytes = record(KvDtype.F32, 10).encode();
        assertTrue(KvBlockRecord.decode(java.util.Arrays.copyOf(bytes, bytes.length - 1)).isEmpty());
        assertTrue(KvBlockRecord.decode(new byte[3]).isEmpty());
        assertTrue(KvBlockRecord.decode(null).isEmpty());
    }

    @Test
    void chainHashesNameWholePrefixes() {
        int[] a = new int[200];
        int[] b = new int[200];
        for (int i = 0; i < 200; i++) {
            a[i] = i;
            b[i] = i == 100 ? 7 : i;                     // differs in the second block only
        }
        List<ChainHash> ha = BlockHashes.of(a);
        List<ChainHash> hb = BlockHashes.of(b);
        assertEquals(3, ha.size(), "full blocks only");
        assertEquals(ha.get(0), hb.get(0));
        assertNotEquals(ha.get(1), hb.get(1));
        assertNotEquals(ha.get(2), hb.get(2), "a block's hash depends on everything before it");
        assertEquals(ha.get(2), ChainHash.parse(ha.get(2).toString()));
    }
}
