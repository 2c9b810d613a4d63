package io.kvasir.gateway.workers;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvasir.engine.sampling.FinishReason;
import io.kvasir.engine.sampling.SamplingParams;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gateway's side of the worker API, checked against the shapes issue 4's workers read and write. */
class WorkerWireTest {

    private static final SamplingParams PARAMS = SamplingParams.builder().temperature(0.7).topK(5).seed(9L)
            .stop(List.of("END")).maxTokens(12).logprobs(2).build();

    @Test
    void prefillRequestHasTopLevelSamplingFields() throws Exception {
        JsonNode body = WorkerWire.MAPPER.readTree(WorkerWire.prefillRequest("r-1", new int[]{3, 4, 5}, PARAMS));
        assertEquals("r-1", body.get("request_id").asText());
        assertEquals(3, body.get("token_ids").size());
        assertEquals(0.7, body.get("temperature").asDouble());
        assertEquals(5, body.get("top_k").asInt());
        assertEquals(9, body.get("seed").asLong());
        assertEquals(12, body.get("max_tokens").asInt());
        assertEquals(2, body.get("logprobs").asInt());
        assertEquals("END", body.get("stop").get(0).asText());
    }

    @Test
    void decodeRequestCarriesTheHandoffUntouched() throws Exception {
        JsonNode handoff = WorkerWire.MAPPER.readTree("{\"requestId\":\"r-1\",\"model\":\"fp\",\"promptTokens\":[3,4,5],"
                + "\"blockHashes\":[],\"partialBlock\":true,\"tokenCount\":3,\"cachedTokens\":0,"
                + "\"firstToken\":{\"id\":7,\"logprob\":-1.5,\"top\":[]}}");
        JsonNode body = WorkerWire.MAPPER.readTree(WorkerWire.decodeRequest(handoff, PARAMS));
        assertEquals(handoff, body.get("handoff"));
        assertEquals(12, body.get("max_tokens").asInt());
        assertEquals(0, WorkerWire.cachedTokens(handoff));
    }

    @Test
    void theHandoffsFirstTokenParsesOnlyWithItsText() throws Exception {
        JsonNode withText = WorkerWire.MAPPER.readTree("{\"firstToken\":{\"id\":7,\"logprob\":-1.5,"
                + "\"top\":[{\"id\":7,\"logprob\":-1.5},{\"id\":2,\"logprob\":-3.0}]},\"firstText\":\" hi\"}");
        WorkerWire.TokenEvent first = WorkerWire.firstToken(withText);
        assertEquals(7, first.token().id());
        assertEquals(-1.5f, first.token().logprob());
        assertEquals(2, first.token().top().size());
        assertEquals(" hi", first.text());
        JsonNode noLogprob = WorkerWire.MAPPER.readTree("{\"firstToken\":{\"id\":7,\"logprob\":\"NaN\",\"top\":[]},"
                + "\"firstText\":\"\"}");
        assertTrue(Float.isNaN(WorkerWire.firstToken(noLogprob).token().logprob()));
        assertNull(WorkerWire.firstToken(WorkerWire.MAPPER.readTree("{\"firstToken\":{\"id\":7,\"top\":[]}}")));
    }

    @Test
    void decodeEventsParse() throws Exception {
        WorkerWire.TokenEvent token = WorkerWire.tokenEvent("{\"token\":7,\"text\":\"hi\",\"logprob\":-0.25,"
                + "\"top_logprobs\":[{\"id\":7,\"logprob\":-0.25},{\"id\":8,\"logprob\":-2.0}]}");
        assertEquals(7, token.token().id());
        assertEquals("hi", token.text());
        assertEquals(-0.25f, token.token().logprob());
        assertEquals(2, token.token().top().size());
        assertNull(token.finishReason());
        WorkerWire.TokenEvent plain = WorkerWire.tokenEvent("{\"token\":8,\"text\":\"\"}");
        assertTrue(Float.isNaN(plain.token().logprob()));
        WorkerWire.TokenEvent end = WorkerWire.tokenEvent("{\"finish_reason\":\"length\",\"usage\":{\"prompt_tokens\":3,"
                + "\"completion_tokens\":12}}");
        assertNull(end.token());
        assertEquals(FinishReason.LENGTH, end.finishReason());
        assertEquals("KV block missing", WorkerWire.tokenEvent("{\"error\":\"KV block missing\"}").error());
    }
}
