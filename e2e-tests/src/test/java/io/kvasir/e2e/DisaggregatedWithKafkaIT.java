package io.kvasir.e2e;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.restassured.RestAssured.given;

/** The four processes with the event bus on a real KRaft broker; the decode worker's usage records land on Kafka. */
class DisaggregatedWithKafkaIT extends DisaggregatedContract {

    private static Path model;
    private static KafkaClusterTestKit kafka;
    private static DisaggregatedCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build()).build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
        model = TinyModel.write(Files.createTempDirectory("kvasir-e2e-model"));
        cluster = DisaggregatedCluster.start(model, kafka.bootstrapServers(), Path.of("target", "e2e-logs", "kafka"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        TinyModel.delete(model);
    }

    @Override
    DisaggregatedCluster cluster() {
        return cluster;
    }

    @Test
    void theDecodeWorkerLeavesAUsageRecordOnKafka() {
        String id = given().contentType("application/json")
                .body("{\"model\":\"tiny\",\"prompt\":\"usage\",\"max_tokens\":3,\"ignore_eos\":true}")
                .post(url() + "/v1/completions").then().statusCode(200).extract().jsonPath().getString("id");
        KafkaUsage.await(kafka.bootstrapServers(), id + "-0", "\"completionTokens\":3", "\"worker\":\"decode@");
    }
}
