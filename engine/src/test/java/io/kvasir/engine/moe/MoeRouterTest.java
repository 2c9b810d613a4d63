package io.kvasir.engine.moe;

import io.kvasir.engine.kv.BlockTable;
import io.kvasir.engine.model.HostTensor;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.SequenceChunk;
import io.kvasir.engine.model.TokenBatch;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.runtime.InferenceEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The pre-gating router's per-sequence history against the float64 reference router: continuation across passes,
 * lookahead without side effects, a re-run pass, and adopting a sequence whose KV was computed elsewhere.
 */
class MoeRouterTest {

    @TempDir
    Path dir;

    @Test
    void previewOfQueuedTokensIsWhatTheirPassWillRoute() throws Exception {
        ModelConfig config = MoeTinyModels.readMe();
        List<HostTensor> weights = MoeTinyModels.weights(config, 17);
        int[] tokens = MoeEngineVsReferenceTest.tokens(50, 2);
        int[] expected = new MoeReferenceForward(config, weights).routerExperts(tokens);
        try (InferenceEngine engine = MoeEngineVsReferenceTest.engine(MoeTinyModels.write(dir, config, weights), WeightOptions.AS_STORED)) {
            PreGatingRouter router = engine.model().weights().moe().router();
            BlockTable table = new BlockTable(engine.cache());
            int[] first = Arrays.copyOfRange(tokens, 0, 20), rest = Arrays.copyOfRange(tokens, 20, 50);
            assertArrayEquals(Arrays.copyOfRange(expected, 0, 20), router.route(batch(table, first, 0)));
            table.append(first.length);
            int[] previewed = router.preview(table, rest);
            assertArrayEquals(Arrays.copyOfRange(expected, 20, 50), previewed, "lookahead over the queued chunk");
            assertArrayEquals(previewed, router.route(batch(table, rest, 20)), "the preview left the history as it was");
            assertArrayEquals(previewed, router.route(batch(table, rest, 20)), "a pass run again (rolled back) routes the same");
            table.release();
            BlockTable unseen = new BlockTable(engine.cache());
            unseen.append(5);
            assertThrows(IllegalStateException.class, () -> router.preview(unseen, rest),
                    "a sequence whose earlier tokens the router never saw");
            router.adopt(unseen, Arrays.copyOfRange(tokens, 0, 5));
            assertArrayEquals(Arrays.copyOfRange(expected, 5, 50), router.route(batch(unseen, Arrays.copyOfRange(tokens, 5, 50), 5)),
                    "a sequence adopted with its earlier tokens continues as if the router had seen them run");
            unseen.release();
        }
    }

    private static TokenBatch batch(BlockTable table, int[] tokens, int start) {
        int[] position = new int[tokens.length], chunkOf = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            position[i] = start + i;
        }
        return new TokenBatch(List.of(new SequenceChunk(table, tokens, false, null)), tokens, position, chunkOf);
    }
}
