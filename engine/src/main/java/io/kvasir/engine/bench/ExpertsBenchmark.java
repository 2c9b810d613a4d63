package io.kvasir.engine.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.kv.BlockTable;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.KvPrecision;
import io.kvasir.engine.model.DemoShape;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.SequenceChunk;
import io.kvasir.engine.model.Transformer;
import io.kvasir.engine.model.WeightOptions;
import io.kvasir.engine.moe.EvictionPolicy;
import io.kvasir.engine.moe.ExpertCache;
import io.kvasir.engine.moe.ExpertCacheOptions;
import io.kvasir.engine.moe.MixtureOfExperts;
import io.kvasir.engine.runtime.LoadedModel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The Read-ME expert cache on the readme-small demo model: batched passes of one token per sequence over token
 * streams known in advance (as queued tokens are), so the pre-gating router gives the experts of the coming passes.
 * For each policy and per-layer capacity, a fresh cache runs the whole trace with prefetch on (and at one capacity
 * also with prefetch off); hit rate is over
 * every MoE layer's expert requests (the same in every sample), tokens/s the median over samples of the whole run,
 * conversions on misses included, after one untimed run to warm up the JIT.
 */
public final class ExpertsBenchmark {

    private static final int SEQUENCES = 8;
    private static final int TOKENS = 48;
    private static final int LOOKAHEAD_PASSES = 4;
    private static final int[] CAPACITIES = {2, 4, 8, 12};
    private static final int SAMPLES = 3;

    private ExpertsBenchmark() {
    }

    public static ObjectNode run() throws Exception {
        Path model = BenchModel.ensure(DemoShape.READ_ME_SMALL, "readme-small");
        String trace = "readme-small: " + SEQUENCES + " sequences x " + TOKENS + " tokens, one token per sequence per "
                + "pass, router lookahead " + LOOKAHEAD_PASSES + " passes";
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("suite", "experts");
        ArrayNode results = root.putArray("results");
        runTrace(model, new ExpertCacheOptions(CAPACITIES[0], EvictionPolicy.LRU, true), root.objectNode());
        for (int capacity : CAPACITIES) {
            for (EvictionPolicy policy : EvictionPolicy.values()) {
                result(results, model, new ExpertCacheOptions(capacity, policy, true), trace);
            }
        }
        // The same misses converted on the forward thread: what prefetch hides.
        for (EvictionPolicy policy : EvictionPolicy.values()) {
            result(results, model, new ExpertCacheOptions(CAPACITIES[1], policy, false), trace);
        }
        return root;
    }

    private static void result(ArrayNode results, Path model, ExpertCacheOptions options, String trace) throws Exception {
        ObjectNode r = results.addObject();
        r.put("policy", options.policy().name().toLowerCase());
        r.put("capacity", options.capacity());
        r.put("prefetch", options.prefetch());
        double[] rates = new double[SAMPLES];
        for (int s = 0; s < SAMPLES; s++) {
            rates[s] = runTrace(model, options, r);
        }
        Arrays.sort(rates);
        r.put("tokens_per_s", rates[SAMPLES / 2]);
        r.put("trace", trace);
    }

    /** Runs the trace on a fresh cache, puts its counters into {@code result} and returns its tokens/s. */
    private static double runTrace(Path model, ExpertCacheOptions cacheOptions, ObjectNode result) throws Exception {
        try (LoadedModel loaded = LoadedModel.load(model, new WeightOptions(false, cacheOptions))) {
            ModelConfig c = loaded.config();
            MixtureOfExperts moe = loaded.weights().moe();
            KvCache kv = new KvCache(c.numLayers(), c.numKvHeads(), c.headDim(),
                    KvCache.blocksForBytes(64L << 20, c.numLayers(), c.numKvHeads(), c.headDim(), KvPrecision.F32),
                    KvPrecision.F32);
            Transformer transformer = new Transformer(c, loaded.weights(), kv);
            int[][] streams = new int[SEQUENCES][];
            int[][] experts = new int[SEQUENCES][];
            List<BlockTable> tables = new ArrayList<>();
            for (int s = 0; s < SEQUENCES; s++) {
                streams[s] = stream(s, c.vocabSize());
                experts[s] = moe.router().predict(streams[s]);
                tables.add(new BlockTable(kv));
            }
            long start = System.nanoTime();
            for (int pass = 0; pass < TOKENS; pass++) {
                moe.announce(upcoming(experts, pass + 1));
                List<SequenceChunk> chunks = new ArrayList<>();
                for (int s = 0; s < SEQUENCES; s++) {
                    chunks.add(new SequenceChunk(tables.get(s), new int[]{streams[s][pass]}, false, null));
                }
                transformer.forward(chunks);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long misses = moe.caches().stream().mapToLong(ExpertCache::misses).sum();
            long prefetched = moe.caches().stream().mapToLong(ExpertCache::prefetchedLoads).sum();
            result.put("hit_rate", moe.hitRate());
            result.put("misses", misses);
            result.put("prefetched_misses", prefetched);
            tables.forEach(BlockTable::release);
            return SEQUENCES * TOKENS / seconds;
        }
    }

    /** Per pass from {@code from} on, up to the lookahead, the experts of its tokens. */
    private static List<int[]> upcoming(int[][] experts, int from) {
        List<int[]> passes = new ArrayList<>();
        for (int pass = from; pass < Math.min(TOKENS, from + LOOKAHEAD_PASSES); pass++) {
            int[] e = new int[SEQUENCES];
            for (int s = 0; s < SEQUENCES; s++) {
                e[s] = experts[s][pass];
            }
            passes.add(e);
        }
        return passes;
    }

    /** An independent reproducible token stream per sequence, clear of byte tokens and specials. */
    private static int[] stream(int sequence, int vocab) {
        return new SplittableRandom(1000 + sequence).ints(TOKENS, 256, vocab - 256).toArray();
    }
}
