package io.kvasir.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.nio.file.Files;
import java.nio.file.Path;

/** The four processes with the embedded event bus: the kv-store cluster's Hazelcast reliable topics. */
class DisaggregatedWithHazelcastIT extends DisaggregatedContract {

    private static Path model;
    private static DisaggregatedCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        model = TinyModel.write(Files.createTempDirectory("kvasir-e2e-model"));
        cluster = DisaggregatedCluster.start(model, null, Path.of("target", "e2e-logs", "hazelcast"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        TinyModel.delete(model);
    }

    @Override
    DisaggregatedCluster cluster() {
        return cluster;
    }
}
