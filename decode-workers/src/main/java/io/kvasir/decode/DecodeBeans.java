package io.kvasir.decode;

import io.kvasir.engine.kv.KvPrecision;
import io.kvasir.engine.runtime.DecodeLoop;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.kvstore.KvStoreClient;
import io.kvasir.kvstore.ModelFingerprint;
import io.kvasir.kvstore.events.EventBus;
import io.kvasir.kvstore.events.EventBuses;
import io.kvasir.kvstore.handoff.WorkerEngine;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Wires the decode worker from configuration ({@code -Dkvasir.…} or {@code KVASIR_…} environment variables): the
 * model and its engine, the connection to the kv-store cluster, the temporal-fusion loop and the service that admits
 * handoffs into it.
 */
@Singleton
public class DecodeBeans {

    @ConfigProperty(name = "kvasir.model")
    Path model;

    @ConfigProperty(name = "kvasir.kv-store.cluster-name", defaultValue = "kvasir")
    String cluster;

    @ConfigProperty(name = "kvasir.kv-store.members", defaultValue = "127.0.0.1:5701")
    List<String> members;

    /** {@code bf16} or {@code f32}; prefill workers must use the same, the store moves KV bytes unconverted. */
    @ConfigProperty(name = "kvasir.engine.kv-precision", defaultValue = "bf16")
    String kvPrecision;

    @ConfigProperty(name = "kvasir.engine.kv-cache-mib", defaultValue = "512")
    int kvCacheMib;

    @ConfigProperty(name = "kvasir.engine.prefill-chunk", defaultValue = "512")
    int prefillChunk;

    /** Synthetic requests run before serving, so the first real one meets compiled kernels. */
    @ConfigProperty(name = "kvasir.engine.warmup", defaultValue = "0")
    int warmUp;

    /** Sequences in one fused forward. */
    @ConfigProperty(name = DecodeRoutes.MAX_BATCH, defaultValue = "64")
    int maxBatch;

    /** Sequences waiting for a place in the batch; more are refused with 429. */
    @ConfigProperty(name = DecodeRoutes.QUEUE, defaultValue = "64")
    int queue;

    @Produces
    @Singleton
    InferenceEngine engine() throws IOException {
        return WorkerEngine.open(model, precision(), kvCacheMib, prefillChunk, warmUp);
    }

    void close(@Disposes InferenceEngine engine) throws Exception {
        engine.close();
    }

    @Produces
    @Singleton
    KvStoreClient store() {
        return KvStoreClient.connect(cluster, members);
    }

    void close(@Disposes KvStoreClient store) {
        store.close();
    }

    /** Kafka's servers; unset, events go on the kv-store cluster's Hazelcast topics (ARCHITECTURE §7). */
    @ConfigProperty(name = "kafka.bootstrap.servers")
    Optional<String> kafka;

    @Produces
    @Singleton
    EventBus events(KvStoreClient store) {
        return EventBuses.choose(kafka.orElse(""), (short) 1, store::eventBus);
    }

    void close(@Disposes EventBus bus) {
        bus.close();
    }

    @Produces
    @Singleton
    StorePreemption preemption(InferenceEngine engine, KvStoreClient store) throws IOException {
        return new StorePreemption(engine, store, fingerprint());
    }

    @Produces
    @Singleton
    DecodeLoop loop(InferenceEngine engine, StorePreemption preemption) {
        return new DecodeLoop(engine, maxBatch, queue, preemption);
    }

    void close(@Disposes DecodeLoop loop) throws InterruptedException {
        loop.close();
    }

    @Produces
    @Singleton
    DecodeService service(InferenceEngine engine, KvStoreClient store, DecodeLoop loop, StorePreemption preemption)
            throws IOException {
        return new DecodeService(engine, store, loop, fingerprint(), preemption);
    }

    private String fingerprint() throws IOException {
        return ModelFingerprint.of(model, precision());
    }

    private KvPrecision precision() {
        return WorkerEngine.precision(kvPrecision);
    }
}
