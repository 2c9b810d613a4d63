package io.kvasir.kvstore;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store client against two embedded members on loopback (the process-level tests live in the workers). */
class KvStoreClientTest {

    private static final List<String> MEMBERS = new ArrayList<>();
    private static final List<HazelcastInstance> members = new ArrayList<>();
    private static KvStoreClient client;

    @BeforeAll
    static void startMembers() throws Exception {
        for (int i = 0; i < 2; i++) {
            try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                MEMBERS.add("127.0.0.1:" + s.getLocalPort());
            }
        }
        for (String m : MEMBERS) {
            int port = Integer.parseInt(m.substring(m.indexOf(':') + 1));
            members.add(Hazelcast.newHazelcastInstance(KvStoreMaps.memberConfig("kv-client-test-" + MEMBERS.getFirst(), port, new MemberDiscovery.Loopback(MEMBERS), 1, 64, 60)));
        }
        client = new KvStoreClient(members.get(0));
    }

    @AfterAll
    static void stopMembers() {
        members.forEach(HazelcastInstance::shutdown);
    }

    private static KvBlockRecord record(int seed) {
        byte[] k = new byte[64 * 2 * 8 * 2];
        byte[] v = new byte[k.length];
        new java.util.Random(seed).nextBytes(k);
        new java.util.Random(-seed).nextBytes(v);
        return new KvBlockRecord(KvDtype.BF16, 64, 2, 8, 3, k, v);
    }

    @Test
    void storesAndFindsTheLongestPrefix() {
        int[] tokens = new int[64 * 5];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = i * 31 % 1000;
        }
        List<ChainHash> hashes = BlockHashes.of(tokens);
        Map<KvBlockKey, KvBlockRecord> put = new HashMap<>();
        for (int b = 0; b < 3; b++) {                                  // first three blocks, both layers
            for (int l = 0; l < 2; l++) {
                put.put(KvBlockKey.full("m", hashes.get(b), l), record(b * 10 + l));
            }
        }
        put.put(KvBlockKey.full("m", hashes.get(4), 0), record(99));   // beyond a gap: not part of the prefix
        client.putAll(put).join();

        List<KvBlockRecord[]> prefix = client.longestPrefix("m", hashes, 2);
        assertEquals(3, prefix.size());
        assertArrayEquals(record(21).k(), prefix.get(2)[1].k());
        assertEquals(0, client.longestPrefix("other-model", hashes, 2).size());
    }

    @Test
    void corruptRecordIsMissingNeverUsed() {
        KvBlockKey key = KvBlockKey.full("m", ChainHash.of(ChainHash.ROOT, new int[]{1, 2, 3}, 0, 3), 0);
        byte[] bytes = record(5).encode();
        bytes[100] ^= 0x10;
        client.putRaw(key, bytes);
        long before = client.corruptRecords();
        assertTrue(client.getAll(List.of(key)).isEmpty());
        assertEquals(before + 1, client.corruptRecords());
    }
}
