package io.kvasir.engine.cli;

import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.engine.model.Transformer;
import io.kvasir.engine.pipeline.LayerRange;
import io.kvasir.engine.pipeline.PipelineStage;
import io.kvasir.engine.pipeline.StageClient;
import io.kvasir.engine.pipeline.StageServer;
import io.kvasir.engine.runtime.LoadedModel;
import io.vertx.core.Vertx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

@Command(name = "stage", description = "Serve a later pipeline stage (a layer range) over TCP until stopped; "
        + "the first stage runs in the process that drives the pipeline.")
final class StageCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(names = "--layers", required = true, description = "FROM:TO, the layers [FROM, TO) this stage runs")
    String layers;

    @Option(names = "--host", defaultValue = "127.0.0.1")
    String host;

    @Option(names = "--port", defaultValue = "0", description = "port to listen on (0: any free one)")
    int port;

    @Option(names = "--next", description = "HOST:PORT of the following stage; omit on the last stage")
    String next;

    @Option(names = "--kv-bytes", defaultValue = "1073741824", description = "KV cache size in bytes")
    long kvBytes;

    @Option(names = "--exit-with", description = "PID of the process that drives the pipeline: this stage exits when it ends")
    Long exitWith;

    @Override
    public Integer call() throws Exception {
        if (exitWith != null) {
            // A driver that dies (killed test, crashed bench) must not leave stages holding ports and memory.
            ProcessHandle.of(exitWith).map(ProcessHandle::onExit).orElse(CompletableFuture.completedFuture(null))
                    .thenRun(() -> System.exit(0));
        }
        String[] range = layers.split(":");
        LayerRange r = new LayerRange(Integer.parseInt(range[0]), Integer.parseInt(range[1]));
        LoadedModel loaded = LoadedModel.load(model.path, model.weightOptions());
        ModelConfig c = loaded.config();
        KvCache cache = new KvCache(c.numLayers(), c.numKvHeads(), c.headDim(),
                KvCache.blocksForBytes(kvBytes, c.numLayers(), c.numKvHeads(), c.headDim(), model.kvPrecision),
                model.kvPrecision);
        Vertx vertx = Vertx.vertx();
        StageClient following = null;
        if (next != null) {
            String[] hostPort = next.split(":");
            following = StageClient.connect(vertx, hostPort[0], Integer.parseInt(hostPort[1]))
                    .toCompletionStage().toCompletableFuture().join();
        }
        StageServer server = StageServer.start(vertx, new PipelineStage(new Transformer(c, loaded.weights(), cache), r),
                following, host, port).toCompletionStage().toCompletableFuture().join();
        System.out.println("stage: layers [" + r.from() + ", " + r.to() + ") of " + c.numLayers() + " listening on "
                + host + ":" + server.port());
        new CountDownLatch(1).await();
        return 0;
    }
}
