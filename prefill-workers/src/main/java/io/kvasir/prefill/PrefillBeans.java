package io.kvasir.prefill;

import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.kvstore.KvStoreClient;
import io.kvasir.kvstore.events.EventBus;
import io.kvasir.worker.WorkerBeans;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

import java.time.Clock;

/** Wires the prefill service onto what every worker has ({@link WorkerBeans}). */
@Singleton
public class PrefillBeans {

    @Produces
    @Singleton
    PrefillService service(InferenceEngine engine, KvStoreClient store, EventBus events,
                           @Named(WorkerBeans.FINGERPRINT) String fingerprint) {
        return new PrefillService(engine, store, fingerprint, events, Clock.systemUTC());
    }
}
