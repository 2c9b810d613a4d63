package io.kvasir.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.runtime.EngineOptions;
import io.kvasir.engine.runtime.InferenceEngine;
import io.kvasir.engine.runtime.LoadedModel;
import io.kvasir.engine.tensor.VectorOps;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

@Command(name = "score", description = "Write the log-probability of each next token and the top-K alternatives as JSON.")
final class ScoreCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Mixin
    DeviceOption device;

    @Option(names = "--tokens", required = true, split = ",", description = "comma-separated token ids")
    int[] tokens;

    @Option(names = "--top", defaultValue = "5")
    int top;

    @Option(names = "--json", required = true, description = "output file")
    Path json;

    @Override
    public Integer call() throws Exception {
        device.requireCpuForwardPass("score");
        try (InferenceEngine engine = new InferenceEngine(LoadedModel.load(model.path, model.weightOptions()),
                EngineOptions.DEFAULTS.withKvPrecision(model.kvPrecision).withSparseConfig(model.sparseConfig))) {
            float[][] logits = engine.score(tokens);
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode root = mapper.createObjectNode();
            ArrayNode ids = root.putArray("tokens");
            Arrays.stream(tokens).forEach(ids::add);
            ArrayNode positions = root.putArray("positions");
            for (int i = 0; i < tokens.length; i++) {
                float[] lp = new float[logits[i].length];
                VectorOps.logSoftmax(logits[i], 0, lp.length, lp, 0);
                ObjectNode p = positions.addObject();
                if (i + 1 < tokens.length) {
                    p.put("next_token", tokens[i + 1]);
                    p.put("logprob", lp[tokens[i + 1]]);
                }
                ArrayNode best = p.putArray("top");
                for (int id : TopK.indices(lp, top)) {
                    best.addArray().add(id).add(lp[id]);
                }
            }
            mapper.writeValue(json.toFile(), root);
        }
        return 0;
    }
}
