package io.kvasir.engine.pipeline;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A pipeline stage served over TCP: it runs each ACTIVATIONS frame through its layers, in arrival order on one
 * compute thread (so the event loop never blocks), then either replies with the logits (last stage) or passes the
 * hidden states to the next stage and relays its reply back on the same connection.
 */
public final class StageServer implements AutoCloseable {

    private final PipelineStage stage;
    private final StageClient next;
    private final ExecutorService compute;
    private NetServer server;

    private StageServer(PipelineStage stage, StageClient next) {
        this.stage = stage;
        this.next = next;
        this.compute = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "stage-" + stage.layers().from() + "-" + stage.layers().to());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Listens on {@code host:port} (0: any free port).
     *
     * @param next the following stage, or null when this stage holds the last layers
     */
    public static Future<StageServer> start(Vertx vertx, PipelineStage stage, StageClient next, String host, int port) {
        if ((next == null) != stage.isLast()) {
            throw new IllegalArgumentException("a stage has a next stage exactly when it does not end the model");
        }
        StageServer s = new StageServer(stage, next);
        return vertx.createNetServer().connectHandler(s::serve).listen(port, host).map(server -> {
            s.server = server;
            return s;
        });
    }

    public int port() {
        return server.actualPort();
    }

    private void serve(NetSocket socket) {
        socket.handler(FrameCodec.parser(frame -> compute.execute(() -> handle(socket, frame))));
    }

    private void handle(NetSocket socket, StageFrame frame) {
        if (frame.kind() == StageFrame.Kind.RELEASE) {
            stage.release(frame.chunks().stream().map(StageChunk::sequence).toList());
            if (next != null) {
                next.release(frame.chunks());
            }
            return;
        }
        float[] out;
        try {
            out = stage.run(frame.chunks(), frame.values());
        } catch (RuntimeException e) {
            socket.write(FrameCodec.encode(StageFrame.failure(frame.id(), "layers " + stage.layers() + ": " + e.getMessage())));
            return;
        }
        if (next == null) {
            socket.write(FrameCodec.encode(StageFrame.output(frame.id(), out)));
        } else {
            next.send(frame.chunks(), out).onComplete(r -> socket.write(FrameCodec.encode(r.succeeded()
                    ? StageFrame.output(frame.id(), r.result())
                    : StageFrame.failure(frame.id(), r.cause().getMessage()))));
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        compute.shutdownNow();
        if (next != null) {
            next.close();
        }
    }
}
