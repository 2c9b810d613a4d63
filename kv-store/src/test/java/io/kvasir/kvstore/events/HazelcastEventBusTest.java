package io.kvasir.kvstore.events;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.kvasir.kvstore.KvStoreMaps;
import io.kvasir.kvstore.MemberDiscovery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The embedded bus on a real member: late subscribers catch up, bad messages are skipped, close unsubscribes. */
class HazelcastEventBusTest {

    private static HazelcastInstance member;

    @BeforeAll
    static void startMember() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        member = Hazelcast.newHazelcastInstance(KvStoreMaps.memberConfig("bus-test-" + port, port,
                new MemberDiscovery.Loopback(List.of("127.0.0.1:" + port)), 0, 64, 60));
    }

    @AfterAll
    static void stopMember() {
        member.shutdown();
    }

    private static <T> List<T> take(LinkedBlockingQueue<T> queue, int n) throws InterruptedException {
        List<T> got = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            T e = queue.poll(20, TimeUnit.SECONDS);
            if (e == null) {
                break;
            }
            got.add(e);
        }
        return got;
    }

    @Test
    void aLateSubscriberReceivesWhatWasPublishedBeforeItAndWhatFollows() throws Exception {
        KvEvent first = new KvEvent(KvEvent.Kind.STORED, "m", List.of("00ff"), -1, "prefill", 1);
        KvEvent second = new KvEvent(KvEvent.Kind.EVICTED, "m", List.of("00ff"), 3, "member", 2);
        KvEvent third = new KvEvent(KvEvent.Kind.STORED, "m", List.of("ab12"), -1, "prefill", 3);
        try (HazelcastEventBus publisher = new HazelcastEventBus(member);
             HazelcastEventBus subscriber = new HazelcastEventBus(member)) {
            publisher.publish(first);
            member.<String>getReliableTopic(EventBus.KV_EVENTS).publish("{not json");
            publisher.publish(second);
            LinkedBlockingQueue<KvEvent> received = new LinkedBlockingQueue<>();
            subscriber.onKvEvent(received::add);
            publisher.publish(third);
            assertEquals(List.of(first, second, third), take(received, 3), "in order, the malformed one skipped");
            subscriber.close();
            publisher.publish(first);
            Thread.sleep(500);
            assertEquals(0, received.size(), "a closed bus still delivered");
        }
    }
}
