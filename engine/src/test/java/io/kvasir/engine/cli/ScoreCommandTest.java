package io.kvasir.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.format.SafetensorsWriter;
import io.kvasir.engine.tensor.DType;
import io.kvasir.engine.testing.ReferenceForward;
import io.kvasir.engine.testing.TinyModels;
import io.kvasir.engine.tokenizer.TokenizerGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code kvasir score} writes the documented JSON, with log-probabilities equal to the float64 reference's. */
class ScoreCommandTest {

    @TempDir
    Path dir;

    @Test
    void writesNextTokenLogprobsAndTopAlternatives() throws Exception {
        ModelConfig config = TinyModels.qwen2();
        var weights = TinyModels.weights(config, 1);
        Files.writeString(dir.resolve("config.json"), config.toJson());
        SafetensorsWriter.write(dir.resolve("model.safetensors"), weights, DType.F32, Map.of());
        TokenizerGenerator.write(dir, config.vocabSize());
        Path out = dir.resolve("scores.json");
        int[] tokens = {5, 17, 42, 300};

        int exit = KvasirCli.commandLine().execute("score", "--model", dir.toString(),
                "--tokens", "5,17,42,300", "--top", "3", "--json", out.toString());
        assertEquals(0, exit);

        JsonNode root = new ObjectMapper().readTree(out.toFile());
        double[][] expected = new ReferenceForward(config, weights).logSoftmax(tokens);
        assertEquals(4, root.get("tokens").size());
        JsonNode positions = root.get("positions");
        assertEquals(tokens.length, positions.size());
        for (int i = 0; i < tokens.length; i++) {
            JsonNode p = positions.get(i);
            if (i + 1 < tokens.length) {
                assertEquals(tokens[i + 1], p.get("next_token").asInt());
                assertEquals(expected[i][tokens[i + 1]], p.get("logprob").asDouble(), 1e-4);
            } else {
                assertFalse(p.has("next_token"), "the last position has no next token");
            }
            JsonNode top = p.get("top");
            assertEquals(3, top.size());
            for (int k = 0; k < 3; k++) {
                int id = top.get(k).get(0).asInt();
                assertEquals(expected[i][id], top.get(k).get(1).asDouble(), 1e-4);
                if (k > 0) {
                    assertTrue(top.get(k - 1).get(1).asDouble() >= top.get(k).get(1).asDouble(), "best first");
                }
            }
        }
    }

    @Test
    void unknownModelPathFailsWithAMessage() {
        CommandLine cli = KvasirCli.commandLine();
        java.io.StringWriter err = new java.io.StringWriter();
        cli.setErr(new java.io.PrintWriter(err));
        int exit = cli.execute("score", "--model", dir.resolve("missing").toString(), "--tokens", "1", "--json",
                dir.resolve("x.json").toString());
        assertEquals(1, exit);
        assertTrue(err.toString().contains("no such model"), err.toString());
    }
}
