package io.kvasir.engine.cli;

import io.kvasir.engine.model.DualChunkAttentionConfig;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.needle.NeedleModelWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "needle-model", description = "Write a Qwen2 retrieval model with computed weights: after "
        + "\"… <Ni_j> … <Ki>\" it answers <Vj>.")
final class NeedleModelCommand implements Callable<Integer> {

    /** The longest context the benchmark asks about. */
    private static final int REACH = 131072;

    @Option(names = "--out", required = true, description = "output folder")
    Path out;

    @Option(names = "--keys", defaultValue = "" + NeedleModelWriter.DEFAULT_KEYS,
            description = "number of keys and of values; needles are keys² (default ${DEFAULT-VALUE})")
    int keys;

    @Option(names = "--seed", defaultValue = "" + NeedleModelWriter.DEFAULT_SEED,
            description = "picks the residual basis and the filler directions (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--rope-theta", defaultValue = "" + NeedleModelWriter.DEFAULT_ROPE_THETA,
            description = "RoPE base; large, so key dimensions barely turn over long contexts (default ${DEFAULT-VALUE})")
    double ropeTheta;

    @Option(names = "--dca-chunk", description = "write a dual_chunk_attention_config with this chunk_size (also its "
            + "original_max_position_embeddings); default: none")
    Integer dcaChunk;

    @Option(names = "--dca-local", description = "DCA local_size (default: chunk / 16)")
    Integer dcaLocal;

    @Option(names = "--dca-threshold", defaultValue = "" + DualChunkAttentionConfig.DEFAULT_SPARSE_THRESHOLD,
            description = "DCA sparse_attention_threshold: longer prompts attend sparsely (default ${DEFAULT-VALUE})")
    int dcaThreshold;

    @Override
    public Integer call() throws Exception {
        if (dcaChunk == null && dcaLocal != null) {
            throw new IllegalArgumentException("--dca-local needs --dca-chunk");
        }
        DualChunkAttentionConfig dca = dcaChunk == null ? null
                : new DualChunkAttentionConfig(dcaChunk, dcaLocal != null ? dcaLocal : dcaChunk / 16, dcaChunk, dcaThreshold);
        ModelConfig c = NeedleModelWriter.write(out, keys, seed, ropeTheta, dca);
        System.out.printf("wrote %s: needle model, %d keys, hidden %d, %d heads of %d, vocab %d, rope theta %.3g;%n"
                        + "key dimensions turn at most %.3g rad across %d positions%n",
                out, keys, c.hiddenSize(), c.numHeads(), c.headDim(), c.vocabSize(), c.ropeTheta(),
                NeedleModelWriter.keyRotation(keys, ropeTheta, REACH), REACH);
        if (dca != null) {
            System.out.printf("dual-chunk attention: chunk %d, local %d (RoPE distances stay within %d), sparse above %d tokens%n",
                    dca.chunkSize(), dca.localSize(), dca.chunkSize(), dca.sparseAttentionThreshold());
        }
        return 0;
    }
}
