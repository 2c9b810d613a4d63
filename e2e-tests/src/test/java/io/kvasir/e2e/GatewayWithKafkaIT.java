package io.kvasir.e2e;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.restassured.RestAssured.given;

/** The gateway process with a real KRaft Kafka broker as its event bus: the contract, plus usage records on Kafka. */
class GatewayWithKafkaIT extends GatewayContract {

    private static Path model;
    private static KafkaClusterTestKit kafka;
    private static GatewayProcess gateway;

    @BeforeAll
    static void start() throws Exception {
        kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build()).build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
        model = TinyModel.write(Files.createTempDirectory("kvasir-e2e-model"));
        gateway = GatewayProcess.start(model, Map.of("kvasir.backend", "engine", "kvasir.engine.max-batch", "16",
                "kafka.bootstrap.servers", kafka.bootstrapServers()), Path.of("target", "e2e-logs"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        TinyModel.delete(model);
    }

    @Override
    String url() {
        return gateway.url;
    }

    @Test
    void everyRequestLeavesAUsageRecordOnKafka() {
        String id = given().contentType("application/json")
                .body("{\"model\":\"tiny\",\"prompt\":\"usage\",\"max_tokens\":3,\"ignore_eos\":true}")
                .post(url() + "/v1/completions").then().statusCode(200).extract().jsonPath().getString("id");
        KafkaUsage.await(kafka.bootstrapServers(), id, "\"completionTokens\":3", "\"worker\":\"gateway\"");
    }
}
