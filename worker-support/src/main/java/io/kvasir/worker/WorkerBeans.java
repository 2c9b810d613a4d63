package io.kvasir.worker;

import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.kvstore.KvStoreClient;
import io.kvasir.kvstore.ModelFingerprint;
import io.kvasir.kvstore.events.EventBus;
import io.kvasir.kvstore.events.EventBuses;
import io.kvasir.kvstore.handoff.WorkerEngine;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What every worker is wired with, from configuration ({@code -Dkvasir.…} or {@code KVASIR_…} environment
 * variables): the model and its engine, the connection to the kv-store cluster, the event bus, and the model
 * fingerprint that names the model's KV in the store.
 */
@Singleton
public class WorkerBeans {

    /** The bean name of the model fingerprint (a String). */
    public static final String FINGERPRINT = "kvasir.model-fingerprint";

    @ConfigProperty(name = "kvasir.model")
    Path model;

    @ConfigProperty(name = "kvasir.kv-store.cluster-name", defaultValue = "kvasir")
    String cluster;

    @ConfigProperty(name = "kvasir.kv-store.members", defaultValue = "127.0.0.1:5701")
    List<String> members;

    /** {@code bf16} or {@code f32}; prefill and decode workers must agree, the store moves KV bytes unconverted. */
    @ConfigProperty(name = "kvasir.engine.kv-precision", defaultValue = "bf16")
    String kvPrecision;

    @ConfigProperty(name = "kvasir.engine.kv-cache-mib", defaultValue = "512")
    int kvCacheMib;

    @ConfigProperty(name = "kvasir.engine.prefill-chunk", defaultValue = "512")
    int prefillChunk;

    /** Synthetic requests run before serving, so the first real one meets compiled kernels. */
    @ConfigProperty(name = "kvasir.engine.warmup", defaultValue = "0")
    int warmUp;

    /** Kafka's servers; unset, events go on the kv-store cluster's Hazelcast topics (ARCHITECTURE §7). */
    @ConfigProperty(name = "kafka.bootstrap.servers")
    Optional<String> kafka;

    @Produces
    @Singleton
    InferenceEngine engine() throws IOException {
        return WorkerEngine.open(model, WorkerEngine.precision(kvPrecision), kvCacheMib, prefillChunk, warmUp);
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
    @Named(FINGERPRINT)
    String fingerprint() throws IOException {
        return ModelFingerprint.of(model, WorkerEngine.precision(kvPrecision));
    }
}
