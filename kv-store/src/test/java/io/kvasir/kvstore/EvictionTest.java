package io.kvasir.kvstore;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.kvasir.kvstore.events.HazelcastEventBus;
import io.kvasir.kvstore.events.KvEvent;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The size bound: past it a member evicts least recently used blocks and says so on the event bus. */
class EvictionTest {

    @Test
    void aFullMemberEvictsTheLeastRecentlyUsedBlocksAndPublishesIt() throws Exception {
        String address;
        try (ServerSocket s = new ServerSocket(0)) {
            address = "127.0.0.1:" + s.getLocalPort();
        }
        int port = Integer.parseInt(address.substring(10));
        HazelcastInstance member = Hazelcast.newHazelcastInstance(
                KvStoreMaps.memberConfig("eviction-test-" + port, port, new MemberDiscovery.Loopback(List.of(address)), 0, 16, 60));
        try {
            KvStoreMember.publishEvictions(member, new HazelcastEventBus(member), "test member");
            BlockingQueue<KvEvent> evicted = new LinkedBlockingQueue<>();
            new HazelcastEventBus(member).onKvEvent(evicted::add);
            KvStoreClient client = new KvStoreClient(member);
            byte[] k = new byte[64 * 2 * 64 * 2];                         // 32 KiB records
            // Hazelcast bounds each of its 271 partitions to its share of the limit, so the limit must hold a few
            // records per partition: 16 MiB is about two of these per partition; 1000 records are 31 MiB.
            int count = 1000;
            for (int i = 0; i < count; i++) {
                Map<KvBlockKey, KvBlockRecord> one = new HashMap<>();
                one.put(KvBlockKey.full("m", ChainHash.of(ChainHash.ROOT, new int[]{i}, 0, 1), 0),
                        new KvBlockRecord(KvDtype.BF16, 64, 2, 64, 3, k, k));
                client.putAll(one).join();
            }
            int stored = member.getMap(KvStoreMaps.BLOCKS).size();
            assertTrue(stored < count, "the size bound evicted blocks: " + stored + " of " + count + " left");
            KvEvent e = evicted.poll(10, TimeUnit.SECONDS);
            assertNotNull(e, "no eviction event");
            assertEquals(KvEvent.Kind.EVICTED, e.kind());
            assertEquals("m", e.model());
            KvBlockKey newest = KvBlockKey.full("m", ChainHash.of(ChainHash.ROOT, new int[]{count - 1}, 0, 1), 0);
            assertEquals(1, client.getAll(List.of(newest)).size(), "the most recent block survives");
        } finally {
            member.shutdown();
        }
    }
}
