package io.kvasir.gateway;

import io.kvasir.engine.kv.KvPrecision;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.runtime.EngineOptions;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.LoadedModel;
import io.kvasir.gateway.admission.AdmissionControl;
import io.kvasir.gateway.api.ApiKeys;
import io.kvasir.gateway.backend.GenerationBackend;
import io.kvasir.gateway.engine.EngineBackend;
import io.kvasir.gateway.events.EventBusConnection;
import io.kvasir.kvstore.KvStoreClient;
import io.kvasir.kvstore.events.EventBuses;
import io.kvasir.gateway.model.ServedModel;
import io.kvasir.gateway.routing.PrefixIndex;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.kvasir.gateway.workers.WorkerBackend;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Wires the gateway from configuration: the served model, the backend (workers or in-process engine), admission. */
@Singleton
public class GatewayBeans {

    @ConfigProperty(name = "kvasir.model")
    Path modelPath;

    @ConfigProperty(name = "kvasir.served-model-name")
    Optional<String> servedName;

    /** {@code workers} (disaggregated prefill and decode) or {@code engine} (single process). */
    @ConfigProperty(name = "kvasir.backend", defaultValue = "workers")
    String backendKind;

    @ConfigProperty(name = "kvasir.engine.max-batch", defaultValue = "32")
    int maxBatch;

    @ConfigProperty(name = "kvasir.engine.max-waiting", defaultValue = "256")
    int maxWaiting;

    @ConfigProperty(name = "kvasir.engine.kv-cache-mib", defaultValue = "1024")
    long kvCacheMib;

    @ConfigProperty(name = "kvasir.prefill-urls", defaultValue = "http://127.0.0.1:8101")
    List<String> prefillUrls;

    @ConfigProperty(name = "kvasir.decode-urls", defaultValue = "http://127.0.0.1:8201")
    List<String> decodeUrls;

    /**
     * Headless Services of the worker pools ({@code host[:port]}), as the operator configures them: the workers
     * are then whatever the names resolve to, refreshed every few seconds, instead of the fixed URLs.
     */
    @ConfigProperty(name = "kvasir.gateway.prefill-service")
    Optional<String> prefillService;

    @ConfigProperty(name = "kvasir.gateway.decode-service")
    Optional<String> decodeService;

    @ConfigProperty(name = "kvasir.gateway.worker-port", defaultValue = "8080")
    int workerPort;

    /** How long a decode stream may send nothing (not even a token) before its request fails with 503. */
    @ConfigProperty(name = "kvasir.gateway.decode-idle-timeout", defaultValue = "120s")
    java.time.Duration decodeIdleTimeout;

    /** Prompt blocks the prefix index remembers (about 100 bytes each). */
    @ConfigProperty(name = "kvasir.routing.prefix-index-blocks", defaultValue = "262144")
    int prefixIndexBlocks;

    @ConfigProperty(name = "kvasir.admission.capacity", defaultValue = "256")
    int admissionCapacity;

    @ConfigProperty(name = "kvasir.admission.retry-after-seconds", defaultValue = "1")
    int retryAfterSeconds;

    @ConfigProperty(name = "kvasir.api-keys")
    Optional<List<String>> apiKeys;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    Optional<String> kafkaServers;

    @ConfigProperty(name = "kvasir.kafka.replication-factor", defaultValue = "1")
    short kafkaReplicationFactor;

    /** The kv-store cluster, whose Hazelcast reliable topics are the event bus when Kafka is not configured. */
    @ConfigProperty(name = "kvasir.kv-store.members")
    Optional<List<String>> kvStoreMembers;

    @ConfigProperty(name = "kvasir.kv-store.cluster-name", defaultValue = "kvasir")
    String kvStoreCluster;

    private LoadedModel loaded;

    private String modelId() {
        return servedName.orElse(modelPath.getFileName().toString());
    }

    private synchronized LoadedModel loaded() {
        if (loaded == null) {
            try {
                loaded = LoadedModel.load(modelPath, WeightOptions.AS_STORED);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load the model " + modelPath, e);
            }
        }
        return loaded;
    }

    private boolean inProcess() {
        return switch (backendKind) {
            case "engine" -> true;
            case "workers" -> false;
            default -> throw new IllegalArgumentException("kvasir.backend must be 'workers' or 'engine', got '" + backendKind + "'");
        };
    }

    @Produces
    @Singleton
    ServedModel servedModel() throws IOException {
        return inProcess() ? ServedModel.of(modelId(), loaded()) : ServedModel.read(modelId(), modelPath);
    }

    @Produces
    @Singleton
    EventBusConnection eventBus() {
        String kafka = kafkaServers.orElse("");
        if (kafka.isBlank() && kvStoreMembers.isEmpty()) {
            return EventBusConnection.none();
        }
        KvStoreClient[] store = {null};
        var bus = EventBuses.choose(kafka, kafkaReplicationFactor,
                () -> (store[0] = KvStoreClient.connect(kvStoreCluster, kvStoreMembers.orElseThrow())).eventBus());
        return new EventBusConnection(bus, store[0]);
    }

    void close(@Disposes EventBusConnection connection) throws Exception {
        connection.close();
    }

    @Produces
    @Singleton
    PrefixIndex prefixIndex() {
        return new PrefixIndex(prefixIndexBlocks);
    }

    @Produces
    @Singleton
    GenerationBackend backend(EventBusConnection events, PrefixIndex prefixes, MeterRegistry registry) {
        if (inProcess()) {
            EngineOptions options = new EngineOptions(EngineOptions.DEFAULTS.prefillChunk(), kvCacheMib << 20,
                    KvPrecision.F32, WeightOptions.AS_STORED);
            return new EngineBackend(new InferenceEngine(loaded(), options), maxBatch, maxWaiting);
        }
        WorkerBackend workers = new WorkerBackend(prefillService.isPresent() ? List.of() : prefillUrls,
                decodeService.isPresent() ? List.of() : decodeUrls, prefixes, decodeIdleTimeout);
        prefillService.ifPresent(s -> workers.discover("prefill", s, workerPort));
        decodeService.ifPresent(s -> workers.discover("decode", s, workerPort));
        events.bus().ifPresent(bus -> {
            Counter loads = received(registry, "kvasir.worker-load");
            Counter kv = received(registry, "kvasir.kv-events");
            bus.onWorkerLoad(load -> {
                loads.increment();
                workers.report(load);
            });
            bus.onKvEvent(event -> {
                kv.increment();
                workers.kvEvent(event);
            });
        });
        return workers;
    }

    private static Counter received(MeterRegistry registry, String topic) {
        return Counter.builder("kvasir.events.received").tag("topic", topic)
                .description("Events the gateway received on the event bus").register(registry);
    }

    void close(@Disposes GenerationBackend backend) throws Exception {
        if (backend instanceof AutoCloseable c) {
            c.close();
        }
    }

    @Produces
    @Singleton
    AdmissionControl admission() {
        return new AdmissionControl(admissionCapacity, retryAfterSeconds);
    }

    @Produces
    @Singleton
    ApiKeys apiKeys() {
        return new ApiKeys(apiKeys.orElse(List.of()));
    }
}
