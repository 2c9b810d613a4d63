package io.kvasir.engine.cli;

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

    @Override
    public Integer call() throws Exception {
        ModelConfig c = NeedleModelWriter.write(out, keys, seed, ropeTheta);
        System.out.printf("wrote %s: needle model, %d keys, hidden %d, %d heads of %d, vocab %d, rope theta %.3g;%n"
                        + "key dimensions turn at most %.3g rad across %d positions%n",
                out, keys, c.hiddenSize(), c.numHeads(), c.headDim(), c.vocabSize(), c.ropeTheta(),
                NeedleModelWriter.keyRotation(keys, ropeTheta, REACH), REACH);
        return 0;
    }
}
