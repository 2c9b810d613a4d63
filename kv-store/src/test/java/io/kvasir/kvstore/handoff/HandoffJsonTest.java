package io.kvasir.kvstore.handoff;

import io.kvasir.engine.sampling.SampledToken;
import io.kvasir.engine.sampling.SamplerState;
import io.kvasir.engine.sampling.SamplingParams;
import io.kvasir.engine.sampling.TokenLogprob;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandoffJsonTest {

    @Test
    void handoffSurvivesJsonWithAndWithoutLogprobs() throws Exception {
        for (SampledToken first : List.of(new SampledToken(7, -1.25f, List.of(new TokenLogprob(7, -1.25f))),
                new SampledToken(9, Float.NaN, List.of()))) {
            Handoff h = new Handoff("r1", "m", new int[]{1, 2, 3}, List.of("00".repeat(16)), true, 3, 0, first,
                    new SamplerState(-7_123_456_789_012L, 1), "hé\n");
            Handoff back = WorkerJson.MAPPER.readValue(WorkerJson.MAPPER.writeValueAsString(h), Handoff.class);
            assertArrayEquals(h.promptTokens(), back.promptTokens());
            assertEquals(h.blockHashes(), back.blockHashes());
            assertEquals(first.id(), back.firstToken().id());
            assertEquals(first.top(), back.firstToken().top());
            assertTrue(Float.compare(first.logprob(), back.firstToken().logprob()) == 0);
            assertEquals(h.sampler(), back.sampler());
            assertEquals("hé\n", back.firstText());
        }
    }

    @Test
    void aHandoffWithoutSamplerStateStillReads() throws Exception {
        Handoff h = WorkerJson.MAPPER.readValue("""
                {"requestId":"r","model":"m","promptTokens":[1],"blockHashes":[],"partialBlock":true,"tokenCount":1,
                 "cachedTokens":0,"firstToken":{"id":4,"logprob":-0.5,"top":[]}}""", Handoff.class);
        assertEquals(null, h.sampler());
        assertEquals(null, h.firstText());
    }

    @Test
    void negativeDrawsAreRejected() {
        assertThrows(Exception.class, () -> WorkerJson.MAPPER.readValue("""
                {"requestId":"r","model":"m","promptTokens":[1],"blockHashes":[],"partialBlock":true,"tokenCount":1,
                 "cachedTokens":0,"firstToken":{"id":4,"logprob":-0.5,"top":[]},"sampler":{"seed":1,"draws":-2}}""",
                Handoff.class));
    }

    @Test
    void samplingFieldsAreCheckedWithMessages() throws Exception {
        SamplingParams p = WorkerJson.sampling(WorkerJson.MAPPER.readTree(
                "{\"temperature\":0,\"max_tokens\":5,\"stop\":[\"x\"],\"stop_token_ids\":[3],\"logprobs\":2}"));
        assertEquals(5, p.maxTokens());
        assertEquals(List.of("x"), p.stop());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WorkerJson.sampling(WorkerJson.MAPPER.readTree("{\"max_tokens\":-1}")));
        assertTrue(e.getMessage().contains("max_tokens"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> WorkerJson.sampling(WorkerJson.MAPPER.readTree("{\"temperature\":\"hot\"}")));
        assertThrows(IllegalArgumentException.class,
                () -> WorkerJson.tokenIds(WorkerJson.MAPPER.readTree("{\"token_ids\":[1.5]}"), "token_ids"));
    }
}
