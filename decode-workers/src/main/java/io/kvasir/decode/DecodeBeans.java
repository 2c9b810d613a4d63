package io.kvasir.decode;

import io.kvasir.engine.runtime.DecodeLoop;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.kvstore.KvStoreClient;
import io.kvasir.worker.WorkerBeans;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Wires the decode worker onto what every worker has ({@link WorkerBeans}): the temporal-fusion loop, where it parks
 * preempted KV, and the service that admits handoffs into it.
 */
@Singleton
public class DecodeBeans {

    /** Sequences in one fused forward. */
    @ConfigProperty(name = DecodeRoutes.MAX_BATCH, defaultValue = "64")
    int maxBatch;

    /** Sequences waiting for a place in the batch; more are refused with 429. */
    @ConfigProperty(name = DecodeRoutes.QUEUE, defaultValue = "64")
    int queue;

    @Produces
    @Singleton
    StorePreemption preemption(InferenceEngine engine, KvStoreClient store,
                               @Named(WorkerBeans.FINGERPRINT) String fingerprint) {
        return new StorePreemption(engine, store, fingerprint);
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
    DecodeService service(InferenceEngine engine, KvStoreClient store, DecodeLoop loop, StorePreemption preemption,
                          @Named(WorkerBeans.FINGERPRINT) String fingerprint) {
        return new DecodeService(engine, store, loop, fingerprint, preemption);
    }
}
