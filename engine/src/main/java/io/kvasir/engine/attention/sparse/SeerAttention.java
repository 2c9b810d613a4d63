package io.kvasir.engine.attention.sparse;

import io.kvasir.engine.attention.AttentionInputs;
import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.attention.AttentionPlanner;
import io.kvasir.engine.attention.KeySpans;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.model.HostTensor;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.RopeScaling;
import io.kvasir.engine.model.RotaryEmbedding;
import io.kvasir.engine.model.format.SafetensorsCheckpoint;
import io.kvasir.engine.model.format.SafetensorsWriter;
import io.kvasir.engine.tensor.DType;
import io.kvasir.engine.tensor.Parallel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * SeerAttention: each layer's {@link SeerGate} scores the key blocks of every query block (a softmax over its causal
 * key blocks); a query block keeps the sink block, its local diagonal (the blocks holding its own rows and the one
 * before, as {@link BlockSparseEstimator}) and the key blocks its {@link SeerSelection} picks from the gate's
 * probabilities. The chunk's last two query blocks stay dense.
 * Gates load from {@code DIR/model.safetensors} ({@value #FOLDER} in a model folder), tensors
 * {@code layers.L.gate_q} {@code [heads, 128, headDim]} and {@code layers.L.gate_k} {@code [heads, 128, 3·headDim]}.
 */
public final class SeerAttention implements AttentionPlanner {

    public static final String FOLDER = "seer_gate";
    static final int DENSE_LAST_BLOCKS = 2;
    /** Adam's step size for gate fits (as {@code sparse-search --seer}). */
    static final double FIT_LEARNING_RATE = 3e-3;

    private final List<SeerGate> layers;
    private final RotaryEmbedding modelRope;
    private final RotaryEmbedding gateRope;
    private final SeerSelection selection;

    public SeerAttention(List<SeerGate> layers, ModelConfig model, SeerSelection selection) {
        this(layers, new RotaryEmbedding(model), gateRope(model), selection);
    }

    /** {@code modelRope} null: the layer's Q/K carry no rotary embedding (nothing to undo before pooling). */
    private SeerAttention(List<SeerGate> layers, RotaryEmbedding modelRope, RotaryEmbedding gateRope, SeerSelection selection) {
        this.layers = List.copyOf(layers);
        this.modelRope = modelRope;
        this.gateRope = gateRope;
        this.selection = java.util.Objects.requireNonNull(selection);
    }

    /** The same gates choosing their key blocks by {@code other}. */
    public SeerAttention withSelection(SeerSelection other) {
        return new SeerAttention(layers, modelRope, gateRope, other);
    }

    public SeerSelection selection() {
        return selection;
    }

    /**
     * A one-layer gate fitted by self-distillation on {@code prompts} calibration prompts whose Q/K carry no rotary
     * embedding (the attention bench's planted inputs): {@code rounds} passes over the prompts, {@code steps} Adam
     * steps per head on each. Many short fits on different prompts rather than one long fit on one: a gate fitted to
     * a single prompt learns that prompt's blocks (its KL falls to 0.003, yet it keeps 0.34 of the attention on another
     * prompt at 10 % of the blocks; 12 prompts × 4 rounds × 20 steps: 0.80 — planted data at 8K, measured under load).
     * The gate's own RoPE runs at base {@code gateTheta}. {@code klOut[0]}, when given, receives the mean KL of the
     * last fit.
     */
    public static SeerAttention fitUnrotated(java.util.function.IntFunction<LayerAttention> prompt, int prompts, int rounds,
                                             int steps, double gateTheta, SeerSelection selection, double[] klOut) {
        RotaryEmbedding gateRope = new RotaryEmbedding(SeerGate.DIM, gateTheta, RopeScaling.NONE, Integer.MAX_VALUE);
        SeerGate gate = null;
        double[] kl = new double[0];
        for (int round = 0; round < rounds; round++) {
            for (int p = 0; p < prompts; p++) {
                AttentionInputs in = prompt.apply(p).inputs();
                if (gate == null) {
                    gate = SeerGateFit.initial(in.numHeads(), in.headDim(), 1);
                    kl = new double[in.numHeads()];
                }
                SeerGate g = gate;
                double[] loss = kl;
                Parallel.forEach(in.numHeads(), h -> loss[h] = SeerGateFit.fit(g, in, h, null, gateRope, steps, FIT_LEARNING_RATE));
            }
        }
        if (klOut != null) {
            klOut[0] = java.util.Arrays.stream(kl).average().orElse(0);
        }
        return new SeerAttention(List.of(gate), null, gateRope, selection);
    }

    static RotaryEmbedding gateRope(ModelConfig model) {
        return new RotaryEmbedding(SeerGate.DIM, model.ropeTheta(), RopeScaling.NONE, model.maxPositionEmbeddings());
    }

    RotaryEmbedding modelRope() {
        return modelRope;
    }

    List<SeerGate> layers() {
        return layers;
    }

    @Override
    public AttentionPlan plan(int layer, AttentionInputs in) {
        if (in.rows() < 2) {
            return null;
        }
        SeerGate gate = layers.get(layer);
        KeySpans[][] spans = new KeySpans[in.numHeads()][];
        Parallel.forEach(in.numHeads(), h -> spans[h] = planHead(gate, in, h));
        return new BlockPlan(in.firstPosition(), spans, in.window());
    }

    private KeySpans[] planHead(SeerGate gate, AttentionInputs in, int head) {
        double[][] probs = probabilities(gate, in, head);
        int denseFrom = in.queryBlocks() - DENSE_LAST_BLOCKS;
        return HeadPattern.perBlock(in, (b, qb, first, last) -> {
            if (qb >= denseFrom) {
                b.range(0, last + 1);
                return;
            }
            int causal = last / KvCache.BLOCK_TOKENS + 1;
            int local = Math.max(0, first / KvCache.BLOCK_TOKENS - BlockSparseEstimator.LOCAL_BLOCKS);
            b.range(0, KvCache.BLOCK_TOKENS);                                   // the sink block
            b.range(local * KvCache.BLOCK_TOKENS, last + 1);                   // the local diagonal
            for (int kb : selection.pick(probs[qb], local, causal)) {
                b.range(kb * KvCache.BLOCK_TOKENS, (kb + 1) * KvCache.BLOCK_TOKENS);
            }
        });
    }

    /** Gate probabilities {@code [queryBlock][keyBlock]} of one head. */
    double[][] probabilities(SeerGate gate, AttentionInputs in, int head) {
        SeerGate.Pooled p = SeerGate.pool(in, head, modelRope);
        double[][] qg = new double[p.q().length][], kg = new double[p.k().length][];
        for (int qb = 0; qb < qg.length; qb++) {
            qg[qb] = SeerGate.project(gate.wq(), head, in.headDim(), p.q()[qb], p.queryBlockIndex()[qb], gateRope);
        }
        for (int kb = 0; kb < kg.length; kb++) {
            kg[kb] = SeerGate.project(gate.wk(), head, 3 * in.headDim(), p.k()[kb], kb, gateRope);
        }
        double[][] s = SeerGate.logits(qg, kg, in);
        SeerGate.softmaxRows(s);
        return s;
    }

    /** Reads gates written by {@link #write}. */
    public static List<SeerGate> read(Path dir, ModelConfig model) throws IOException {
        List<SeerGate> out = new ArrayList<>();
        try (SafetensorsCheckpoint source = SafetensorsCheckpoint.open(dir)) {
            for (int l = 0; l < model.numLayers(); l++) {
                out.add(new SeerGate(model.numHeads(), model.headDim(),
                        source.require("layers." + l + ".gate_q").toFloats(), source.require("layers." + l + ".gate_k").toFloats()));
            }
        }
        return out;
    }

    public static void write(Path dir, List<SeerGate> gates) throws IOException {
        Files.createDirectories(dir);
        List<HostTensor> tensors = new ArrayList<>();
        for (int l = 0; l < gates.size(); l++) {
            SeerGate g = gates.get(l);
            tensors.add(new HostTensor("layers." + l + ".gate_q", new long[]{g.heads(), SeerGate.DIM, g.headDim()}, g.wq()));
            tensors.add(new HostTensor("layers." + l + ".gate_k", new long[]{g.heads(), SeerGate.DIM, 3L * g.headDim()}, g.wk()));
        }
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, DType.F32, Map.of("format", "kvasir-seer-gate"));
    }
}
