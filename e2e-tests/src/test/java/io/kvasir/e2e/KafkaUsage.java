package io.kvasir.e2e;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads {@code kvasir.usage} from the beginning for one request's record. */
final class KafkaUsage {

    private KafkaUsage() {
    }

    /** Waits up to 30 s for the usage record of {@code requestId} and checks it contains every fragment. */
    static void await(String bootstrapServers, String requestId, String... fragments) {
        TopicPartition usage = new TopicPartition("kvasir.usage", 0);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(usage));
            consumer.seekToBeginning(List.of(usage));
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value().contains("\"requestId\":\"" + requestId + "\"")) {
                        for (String f : fragments) {
                            assertTrue(r.value().contains(f), r.value());
                        }
                        return;
                    }
                }
            }
        }
        throw new AssertionError("no usage record for " + requestId + " on kvasir.usage within 30 s");
    }
}
