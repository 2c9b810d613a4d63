package io.kvasir.kvstore.events;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The three topics through a real in-JVM KRaft broker: what one bus publishes, another bus receives. */
class KafkaEventBusTest {

    private static KafkaClusterTestKit cluster;

    @BeforeAll
    static void startBroker() throws Exception {
        cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build()).build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        cluster.close();
    }

    @Test
    void eventsCrossBetweenInstances() throws Exception {
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        try (KafkaEventBus publisher = new KafkaEventBus(cluster.bootstrapServers(), (short) 1);
             KafkaEventBus subscriber = new KafkaEventBus(cluster.bootstrapServers(), (short) 1)) {
            subscriber.onKvEvent(received::add);
            subscriber.onWorkerLoad(received::add);
            subscriber.onUsage(received::add);
            KvEvent stored = new KvEvent(KvEvent.Kind.STORED, "m", List.of("00ff", "ab12"), -1, "prefill@127.0.0.1:8101", 1);
            WorkerLoad load = new WorkerLoad("decode@127.0.0.1:8201", "decode", 2, 7, 100, 900, 31.5, 2);
            UsageRecord usage = new UsageRecord("chatcmpl-1", "gateway", 12, 0, 3, 3);
            publisher.publish(stored);
            publisher.publish(load);
            publisher.publish(usage);
            List<Object> got = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Object e = received.poll(60, TimeUnit.SECONDS);
                if (e == null) {
                    break;
                }
                got.add(e);
            }
            assertEquals(3, got.size(), "events received: " + got);
            assertEquals(java.util.Set.of(stored, load, usage), java.util.Set.copyOf(got));
        }
    }
}
