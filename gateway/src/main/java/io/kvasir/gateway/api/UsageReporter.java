package io.kvasir.gateway.api;

import io.kvasir.gateway.backend.GenerationBackend;
import io.kvasir.gateway.engine.EngineBackend;
import io.kvasir.gateway.events.EventBusConnection;
import io.kvasir.kvstore.events.UsageRecord;
import jakarta.enterprise.context.ApplicationScoped;


/**
 * Publishes one usage record per finished request on {@code kvasir.usage} when the gateway ran it in process;
 * with workers, the decode worker publishes it (it knows what was generated even if the gateway goes away).
 */
@ApplicationScoped
public class UsageReporter {

    private final EventBusConnection connection;

    private final boolean reportsUsage;

    public UsageReporter(EventBusConnection connection, GenerationBackend backend) {
        this.connection = connection;
        this.reportsUsage = backend instanceof EngineBackend;
    }

    void record(RequestRun.Outcome outcome) {
        if (!reportsUsage) {
            return;
        }
        connection.bus().ifPresent(bus -> bus.publish(new UsageRecord(outcome.requestId(), "gateway",
                outcome.promptTokens(), outcome.cachedTokens(), outcome.completionTokens(), System.currentTimeMillis())));
    }
}
