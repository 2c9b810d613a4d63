package io.kvasir.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvasir.engine.model.needle.NeedleVocabulary;
import io.kvasir.engine.tokenizer.Tokenizer;
import io.kvasir.engine.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The needle model through the commands a user runs: needle-model, generate with text, score, bench needle. */
class NeedleCliTest {

    @TempDir
    Path dir;

    @Test
    void writesAModelThatGenerateScoreAndBenchRunUnchanged() throws Exception {
        Path model = dir.resolve("needle");
        assertEquals(0, cli("needle-model", "--out", model.toString(), "--keys", "8", "--seed", "3"));

        String haystack = NeedleVocabulary.FILLER_TEXT.repeat(30);
        String prompt = haystack + " <N5_2>" + haystack + " <K5>";
        String generated = captureStdout(() -> cli("generate", "--model", model.toString(), "--prompt", prompt,
                "--temperature", "0", "--max-tokens", "8"));
        assertEquals("<V2>", generated.strip(), "the answer, then end of text");

        Tokenizer tokenizer = Tokenizers.load(model);
        int[] ids = tokenizer.encode(prompt);
        assertTrue(ids.length < prompt.length() / 3, "filler words are single tokens: " + ids.length + " ids");
        Path scores = dir.resolve("score.json");
        assertEquals(0, cli("score", "--model", model.toString(), "--json", scores.toString(), "--tokens",
                Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(","))));
        JsonNode positions = new ObjectMapper().readTree(scores.toFile()).path("positions");
        JsonNode best = positions.get(ids.length - 1).path("top").get(0);
        assertEquals(tokenizer.tokenId("<V2>").orElseThrow(), best.get(0).asInt());
        assertTrue(best.get(1).asDouble() > -0.1, "answer log-probability " + best);

        Path bench = dir.resolve("bench.json");
        assertEquals(0, cli("bench", "needle", "--model", model.toString(), "--lengths", "1024,2048", "--depths", "0,1",
                "--needles", "1,2", "--methods", "dense", "--json", bench.toString()));
        JsonNode root = new ObjectMapper().readTree(bench.toFile());
        assertEquals("needle", root.path("suite").asText());
        assertEquals(8, root.path("results").size());
        for (JsonNode r : root.path("results")) {
            assertTrue(r.path("correct").asBoolean(), r.toString());
            for (String field : new String[]{"method", "tokens", "depth", "needles", "answer_logprob", "prefill_ms"}) {
                assertTrue(r.has(field), field + " in " + r);
            }
        }

        Path refused = dir.resolve("refused.json");
        StringWriter err = new StringWriter();
        CommandLine refusing = new CommandLine(new KvasirCli()).setErr(new PrintWriter(err));
        assertEquals(1, refusing.execute("bench", "needle", "--model", model.toString(), "--methods", "dense,dca",
                "--json", refused.toString()));
        assertTrue(err.toString().contains("dca runs on a dual-chunk variant of the default needle model"), err.toString());
        assertFalse(Files.exists(refused), "nothing is written when a method is refused");
    }

    /**
     * {@code needle-model --dca-chunk} writes Qwen2.5-1M's dual_chunk_attention_config, and the engine retrieves under
     * DCA's remapped positions: the needle in the question's own chunk, the one before, and far behind.
     */
    @Test
    void writesADualChunkVariantThatStillRetrieves() throws Exception {
        Path model = dir.resolve("needle-dca");
        assertEquals(0, cli("needle-model", "--out", model.toString(), "--keys", "8", "--dca-chunk", "512"));
        JsonNode dca = new ObjectMapper().readTree(model.resolve("config.json").toFile()).path("dual_chunk_attention_config");
        assertEquals(512, dca.path("chunk_size").asInt(), dca.toString());
        assertEquals(32, dca.path("local_size").asInt(), dca.toString());

        Path bench = dir.resolve("bench.json");
        assertEquals(0, cli("bench", "needle", "--model", model.toString(), "--lengths", "2048", "--depths", "0,0.5,0.9,1",
                "--needles", "1,4", "--methods", "dense", "--json", bench.toString()));
        JsonNode results = new ObjectMapper().readTree(bench.toFile()).path("results");
        assertEquals(8, results.size());
        for (JsonNode r : results) {
            assertTrue(r.path("correct").asBoolean(), r.toString());
            assertTrue(r.path("answer_logprob").asDouble() > -0.1, r.toString());
        }
    }

    private static int cli(String... args) {
        return new CommandLine(new KvasirCli()).execute(args);
    }

    private static String captureStdout(Runnable action) {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setOut(original);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
