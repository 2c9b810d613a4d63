package io.kvasir.engine.cli;

import io.kvasir.engine.attention.sparse.SeerAttention;
import io.kvasir.engine.attention.sparse.SparseAttentionConfig;
import io.kvasir.engine.attention.sparse.SparseSearch;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.runtime.LoadedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "sparse-search", description = "Choose each head's sparse attention pattern and budgets on a calibration "
        + "prompt; write them as MInference JSON (use with --sparse-config, or save as sparse_attention_config.json in the model folder).")
final class SparseSearchCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(names = "--out", required = true, description = "output config file")
    Path out;

    @Option(names = "--length", defaultValue = "8192", description = "calibration prompt tokens (default ${DEFAULT-VALUE})")
    int length;

    @Option(names = "--target-recall", defaultValue = "0.95", description = "attention recall each head must reach (default ${DEFAULT-VALUE})")
    double targetRecall;

    @Option(names = "--prompt-file", description = "calibration text (tokenized, repeated or cut to --length); "
            + "default: a fixed pseudo-random token sequence")
    Path promptFile;

    @Option(names = "--samples", defaultValue = "16", description = "query blocks per head on which recall is measured")
    int samples;

    @Option(names = "--seer", description = "instead fit SeerAttention gates by self-distillation and write them to the "
            + "folder --out (copy it to MODEL/seer_gate to use it)")
    boolean seer;

    @Option(names = "--seer-steps", defaultValue = "200", description = "Adam steps per head for --seer")
    int seerSteps;

    @Override
    public Integer call() throws Exception {
        try (LoadedModel m = LoadedModel.load(model.path, model.weightOptions())) {
            ModelConfig c = m.config();
            if (length < 64 || length >= c.maxPositionEmbeddings()) {
                throw new IllegalArgumentException("--length must be in [64, " + c.maxPositionEmbeddings() + ")");
            }
            int[] prompt = promptFile != null ? repeatTo(m.tokenizer().encode(Files.readString(promptFile)), length)
                    : pseudoRandom(length, c.vocabSize());
            long t0 = System.nanoTime();
            if (seer) {
                SeerAttention.write(out, SparseSearch.fitSeerGates(c, m.weights(), prompt, seerSteps, 3e-3, System.err));
                System.err.printf("sparse-search: wrote SeerAttention gates to %s in %.1f s%n", out, (System.nanoTime() - t0) / 1e9);
                return 0;
            }
            SparseAttentionConfig config = SparseSearch.run(c, m.weights(), prompt, SparseSearch.defaultCandidates(),
                    targetRecall, samples, System.err);
            config.write(out);
            System.err.printf("sparse-search: wrote %s (%d layers × %d heads) in %.1f s%n", out, c.numLayers(), c.numHeads(),
                    (System.nanoTime() - t0) / 1e9);
        }
        return 0;
    }

    private static int[] repeatTo(int[] ids, int length) {
        if (ids.length == 0) {
            throw new IllegalArgumentException("the calibration text is empty");
        }
        int[] out = new int[length];
        for (int i = 0; i < length; i++) {
            out[i] = ids[i % ids.length];
        }
        return out;
    }

    private static int[] pseudoRandom(int length, int vocab) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(1234);
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = r.nextInt(Math.min(vocab, 32000));
        }
        return ids;
    }
}
