package io.kvasir.kvstore.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvasir.kvstore.handoff.WorkerJson;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ArrayList;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The event bus on Kafka: one JSON record per event on {@code kvasir.kv-events}, {@code kvasir.worker-load} and
 * {@code kvasir.usage}, keyed so that one model's (or worker's) events stay in order on one partition. An instance
 * that subscribes reads every partition itself, from the oldest retained record, so a new gateway rebuilds its view;
 * no consumer group is involved, since every gateway needs every event (and a group needs the offsets topic
 * replicated). One that only publishes (a worker, a kv-store member) opens no consumer.
 * The producer's buffer is bounded and a full one fails the publish at once: losing a load report is better than
 * stalling a request.
 */
public final class KafkaEventBus implements EventBus {

    private static final System.Logger LOG = System.getLogger(KafkaEventBus.class.getName());
    private static final ObjectMapper JSON = WorkerJson.MAPPER;

    private final String bootstrapServers;
    private final KafkaProducer<String, String> producer;
    /** Opened by the first subscription; guarded by this. */
    private KafkaConsumer<String, String> consumer;
    private Thread poller;
    private final List<Consumer<KvEvent>> kvHandlers = new CopyOnWriteArrayList<>();
    private final List<Consumer<WorkerLoad>> loadHandlers = new CopyOnWriteArrayList<>();
    private final List<Consumer<UsageRecord>> usageHandlers = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    public KafkaEventBus(String bootstrapServers, short replicationFactor) {
        this.bootstrapServers = bootstrapServers;
        createTopics(bootstrapServers, replicationFactor);
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "1",
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 8L << 20),
                new StringSerializer(), new StringSerializer());
    }

    private synchronized void startConsuming() {
        if (consumer != null || closed) {
            return;
        }
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new StringDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(KV_EVENTS, WORKER_LOAD, USAGE)) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        KafkaConsumer<String, String> c = consumer;
        poller = Thread.ofPlatform().name("kvasir-event-bus").daemon().start(() -> poll(c));
    }

    private static void createTopics(String bootstrapServers, short replicationFactor) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            for (String topic : List.of(KV_EVENTS, WORKER_LOAD, USAGE)) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, 1, replicationFactor))).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create Kafka topic " + topic + ": " + e.getCause().getMessage(), e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating Kafka topics", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrapServers + " did not answer within 30 s", e);
        }
    }

    @Override
    public void publish(KvEvent event) {
        send(KV_EVENTS, event.model(), event);
    }

    @Override
    public void publish(WorkerLoad load) {
        send(WORKER_LOAD, load.worker(), load);
    }

    @Override
    public void publish(UsageRecord usage) {
        send(USAGE, usage.requestId(), usage);
    }

    private void send(String topic, String key, Object value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, JSON.writeValueAsString(value)), (meta, error) -> {
                if (error != null) {
                    LOG.log(System.Logger.Level.WARNING, "event on " + topic + " was not delivered: " + error.getMessage());
                }
            });
        } catch (RuntimeException | com.fasterxml.jackson.core.JsonProcessingException e) {
            LOG.log(System.Logger.Level.WARNING, "event on " + topic + " dropped: " + e.getMessage());
        }
    }

    @Override
    public AutoCloseable onKvEvent(Consumer<KvEvent> listener) {
        kvHandlers.add(listener);
        startConsuming();
        return () -> kvHandlers.remove(listener);
    }

    @Override
    public AutoCloseable onWorkerLoad(Consumer<WorkerLoad> listener) {
        loadHandlers.add(listener);
        startConsuming();
        return () -> loadHandlers.remove(listener);
    }

    @Override
    public AutoCloseable onUsage(Consumer<UsageRecord> listener) {
        usageHandlers.add(listener);
        startConsuming();
        return () -> usageHandlers.remove(listener);
    }

    private void poll(KafkaConsumer<String, String> consumer) {
        try {
            while (!closed) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    dispatch(r);
                }
            }
        } catch (WakeupException e) {
            if (!closed) {
                throw e;
            }
        } finally {
            consumer.close();
        }
    }

    private void dispatch(ConsumerRecord<String, String> r) {
        try {
            switch (r.topic()) {
                case KV_EVENTS -> deliver(kvHandlers, JSON.readValue(r.value(), KvEvent.class));
                case WORKER_LOAD -> deliver(loadHandlers, JSON.readValue(r.value(), WorkerLoad.class));
                case USAGE -> deliver(usageHandlers, JSON.readValue(r.value(), UsageRecord.class));
                default -> LOG.log(System.Logger.Level.WARNING, "record from unexpected topic " + r.topic());
            }
        } catch (java.io.IOException | RuntimeException e) {
            // One unreadable record (another version's, or garbage) must not stop the bus.
            LOG.log(System.Logger.Level.WARNING, "skipping an unreadable record on " + r.topic() + ": " + e.getMessage());
        }
    }

    private static <T> void deliver(List<Consumer<T>> handlers, T event) {
        handlers.forEach(h -> h.accept(event));
    }

    @Override
    public void close() {
        Thread reader;
        synchronized (this) {
            closed = true;
            reader = poller;
            if (consumer != null) {
                consumer.wakeup();
            }
        }
        if (reader != null) {
            try {
                reader.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        producer.close(Duration.ofSeconds(5));
    }
}
