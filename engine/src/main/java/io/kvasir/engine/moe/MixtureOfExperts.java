package io.kvasir.engine.moe;

import io.kvasir.engine.model.DenseFeedForward;
import io.kvasir.engine.model.FeedForward;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.MoeConfig;
import io.kvasir.engine.model.PreGatingRouterConfig;
import io.kvasir.engine.model.TensorReader;
import io.kvasir.engine.tensor.DType;
import io.kvasir.engine.tensor.WeightMatrix;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The experts of a mixture-of-experts model: one {@link ExpertCache} per MoE layer, the feed-forward step of each
 * MoE layer, and for Read-ME the pre-gating router and the announced schedule of coming passes.
 */
public final class MixtureOfExperts implements AutoCloseable {

    private final FeedForward[] layers;
    private final List<ExpertCache> caches;
    private final PreGatingRouter router;
    private final ExpertSchedule schedule;
    private final ExecutorService prefetcher;

    private MixtureOfExperts(FeedForward[] layers, List<ExpertCache> caches, PreGatingRouter router,
                             ExpertSchedule schedule, ExecutorService prefetcher) {
        this.layers = layers;
        this.caches = caches;
        this.router = router;
        this.schedule = schedule;
        this.prefetcher = prefetcher;
    }

    public static MixtureOfExperts load(ModelConfig c, TensorReader reader) throws IOException {
        MoeConfig m = c.moe();
        ExpertCacheOptions o = reader.options().experts();
        ExecutorService prefetcher = o.prefetch() ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "expert-prefetch");
            t.setDaemon(true);
            return t;
        }) : null;
        ExpertNaming naming = ModelConfig.MIXTRAL.equals(c.architecture()) ? ExpertNaming.MIXTRAL : ExpertNaming.QWEN2_MOE;
        int H = c.hiddenSize(), F = m.expertIntermediateSize();
        int capacity = Math.min(o.capacity(), m.numExperts());
        List<Integer> moeLayers = new ArrayList<>();
        List<ExpertCache> caches = new ArrayList<>();
        List<ExpertDispatch> dispatches = new ArrayList<>();
        for (int l = 0; l < c.numLayers(); l++) {
            if (m.isMoeLayer(l)) {
                ExpertLoader loader = new ExpertLoader(reader, naming, l, H, F);
                loader.validate(m.numExperts());
                ExpertCache cache = new ExpertCache(loader::load, capacity, o.policy(), prefetcher);
                moeLayers.add(l);
                caches.add(cache);
                dispatches.add(new ExpertDispatch(cache, H));
            }
        }
        if (moeLayers.isEmpty()) {
            throw new IOException(c.architecture() + " with no MoE layer: every layer is in mlp_only_layers or skipped"
                    + " by decoder_sparse_step; load it as a dense model");
        }
        // Experts compute from their converted copies (ExpertLoader), whatever the checkpoint stores.
        long expertBytes = (reader.options().quantizeQ8_0() ? DType.Q8_0 : DType.F32).bytesFor(3L * F * H);
        FeedForward[] layers = new FeedForward[c.numLayers()];
        ExpertSchedule schedule = new ExpertSchedule();
        PreGatingRouter router = m.isPreGated() ? loadRouter(c, m.router(), m.numExperts(), reader) : null;
        for (int i = 0; i < moeLayers.size(); i++) {
            int l = moeLayers.get(i);
            String p = "model.layers." + l + ".";
            if (router != null) {
                boolean last = i == moeLayers.size() - 1;
                layers[l] = new PreGatedFeedForward(router, dispatches.get(i), schedule,
                        caches.get(last ? 0 : i + 1), last, expertBytes);
            } else {
                String sharedPrefix = p + "mlp.shared_expert.";
                int S = m.sharedExpertIntermediateSize();
                DenseFeedForward shared = S == 0 ? null : new DenseFeedForward(
                        reader.matrix(sharedPrefix + "gate_proj.weight", S, H),
                        reader.matrix(sharedPrefix + "up_proj.weight", S, H),
                        reader.matrix(sharedPrefix + "down_proj.weight", H, S));
                WeightMatrix sharedGate = S == 0 ? null : reader.matrix(p + "mlp.shared_expert_gate.weight", 1, H);
                layers[l] = new RoutedMoeFeedForward(reader.matrix(naming.router(l), m.numExperts(), H),
                        m.expertsPerToken(), m.normTopkProb(), dispatches.get(i), shared, sharedGate, expertBytes);
            }
        }
        return new MixtureOfExperts(layers, List.copyOf(caches), router, schedule, prefetcher);
    }

    /** Tensors {@code router.embed_tokens}, {@code router.layers.{i}.*} as in a Llama layer, {@code router.norm}, {@code router.lm_head}. */
    private static PreGatingRouter loadRouter(ModelConfig c, PreGatingRouterConfig r, int experts, TensorReader reader)
            throws IOException {
        ModelConfig rc = r.asDecoder(c.vocabSize(), c.maxPositionEmbeddings());
        int H = rc.hiddenSize(), F = rc.intermediateSize();
        int qDim = rc.numHeads() * rc.headDim(), kvDim = rc.numKvHeads() * rc.headDim();
        PreGatingRouter.Layer[] layers = new PreGatingRouter.Layer[r.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "router.layers." + i + ".";
            layers[i] = new PreGatingRouter.Layer(
                    reader.vector(p + "input_layernorm.weight", H),
                    reader.matrix(p + "self_attn.q_proj.weight", qDim, H),
                    reader.matrix(p + "self_attn.k_proj.weight", kvDim, H),
                    reader.matrix(p + "self_attn.v_proj.weight", kvDim, H),
                    reader.matrix(p + "self_attn.o_proj.weight", H, qDim),
                    reader.vector(p + "post_attention_layernorm.weight", H),
                    new DenseFeedForward(reader.matrix(p + "mlp.gate_proj.weight", F, H),
                            reader.matrix(p + "mlp.up_proj.weight", F, H),
                            reader.matrix(p + "mlp.down_proj.weight", H, F)));
        }
        return new PreGatingRouter(rc, reader.raw("router.embed_tokens.weight", c.vocabSize(), H), layers,
                reader.vector("router.norm.weight", H), reader.matrix("router.lm_head.weight", experts, H));
    }

    /** The feed-forward step of MoE layer {@code layer}. */
    public FeedForward layer(int layer) {
        return layers[layer];
    }

    /** The caches of the MoE layers, in layer order. */
    public List<ExpertCache> caches() {
        return caches;
    }

    /** The Read-ME pre-gating router, or null when each layer routes for itself. */
    public PreGatingRouter router() {
        return router;
    }

    /**
     * Tells the Read-ME layers which experts the passes after the one about to run will use (per pass, the router's
     * choice for each of its tokens), for Belady's eviction and the next pass's prefetch. Replaces any earlier one.
     */
    public void announce(List<int[]> upcomingPasses) {
        schedule.announce(upcomingPasses);
    }

    /** Hits over requests, summed over every MoE layer's cache. */
    public double hitRate() {
        long hits = hits(), misses = misses();
        return hits + misses == 0 ? 0 : (double) hits / (hits + misses);
    }

    /** Expert requests that found the expert resident, summed over every MoE layer's cache; any thread may read it. */
    public long hits() {
        return caches.stream().mapToLong(ExpertCache::hits).sum();
    }

    /** Expert requests that had to convert the expert from the checkpoint, summed over every MoE layer's cache. */
    public long misses() {
        return caches.stream().mapToLong(ExpertCache::misses).sum();
    }

    @Override
    public void close() {
        caches.forEach(ExpertCache::close);
        if (prefetcher != null) {
            prefetcher.shutdownNow();
        }
    }
}
