package io.kvasir.engine.moe;

import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.Sequence;
import io.kvasir.engine.sampling.SampledToken;
import io.kvasir.engine.sampling.SamplingParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A Read-ME sequence whose prompt KV was computed by another engine (a prefill worker's handoff) decodes the tokens of
 * one that stayed where it was prefilled: the pre-gating router, which never ran the prompt on the decoding engine,
 * adopts it, so the decode passes route with the whole context. Without that, the first decode pass would fail.
 */
class MoeHandoffTest {

    @TempDir
    Path dir;

    @Test
    void aHandedOffReadMeSequenceDecodesAsIfPrefilledHere() throws Exception {
        ModelConfig config = MoeTinyModels.readMe();
        Path model = MoeTinyModels.write(dir, config, MoeTinyModels.weights(config, 21));
        int[] prompt = MoeEngineVsReferenceTest.tokens(90, 3);
        SamplingParams params = SamplingParams.builder().temperature(0).maxTokens(12).ignoreEos(true).logprobs(1).build();
        try (InferenceEngine prefill = MoeEngineVsReferenceTest.engine(model, WeightOptions.AS_STORED);
             InferenceEngine decode = MoeEngineVsReferenceTest.engine(model, WeightOptions.AS_STORED)) {
            Sequence local = prefill.start(prompt, params);
            prefill.prefill(local);
            Sequence remote = decode.resume(prompt, params, local.sampledTokens().getFirst(), local.samplerState());
            int layers = config.numLayers();
            for (int b = 0; b * KvCache.BLOCK_TOKENS < local.kvTokens(); b++) {
                for (int l = 0; l < layers; l++) {
                    int bytes = prefill.cache().blockBytes(InferenceEngine.tokensIn(local, b));
                    ByteBuffer k = ByteBuffer.allocate(bytes), v = ByteBuffer.allocate(bytes);
                    prefill.exportKv(local, b, l, k, v);
                    decode.importKv(remote, b, l, k.rewind(), v.rewind());
                }
            }
            while (!local.isFinished()) {
                prefill.decode(List.of(local));
                decode.decode(List.of(remote));
            }
            List<SampledToken> expected = local.sampledTokens(), actual = remote.sampledTokens();
            assertEquals(expected.size(), actual.size());
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i).id(), actual.get(i).id(), "token " + i);
                assertEquals(expected.get(i).logprob(), actual.get(i).logprob(), 1e-4, "logprob of token " + i);
            }
        }
    }
}
