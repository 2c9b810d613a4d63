package io.kvasir.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The gateway process with no Kafka configured: the same contract must hold. */
class GatewayWithoutKafkaIT extends GatewayContract {

    private static Path model;
    private static GatewayProcess gateway;

    @BeforeAll
    static void start() throws Exception {
        model = TinyModel.write(Files.createTempDirectory("kvasir-e2e-model"));
        gateway = GatewayProcess.start(model, Map.of("kvasir.backend", "engine", "kvasir.engine.max-batch", "16"),
                Path.of("target", "e2e-logs"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        TinyModel.delete(model);
    }

    @Override
    String url() {
        return gateway.url;
    }
}
