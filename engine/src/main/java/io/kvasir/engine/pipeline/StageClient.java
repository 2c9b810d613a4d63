package io.kvasir.engine.pipeline;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The connection to the next pipeline stage: sends micro-batches, matches replies to them by id. Thread-safe. */
public final class StageClient implements AutoCloseable {

    private final NetClient client;
    private final NetSocket socket;
    private final Map<Long, Promise<float[]>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    private StageClient(NetClient client, NetSocket socket) {
        this.client = client;
        this.socket = socket;
        socket.handler(FrameCodec.parser(this::reply));
        socket.closeHandler(v -> failAll("the connection to the next stage closed"));
    }

    public static Future<StageClient> connect(Vertx vertx, String host, int port) {
        NetClient client = vertx.createNetClient();
        return client.connect(port, host).map(socket -> new StageClient(client, socket));
    }

    /** Sends the hidden states of a micro-batch; completes with the logits from the end of the chain. */
    public Future<float[]> send(List<StageChunk> chunks, float[] hidden) {
        long id = ids.incrementAndGet();
        Promise<float[]> p = Promise.promise();
        pending.put(id, p);
        socket.write(FrameCodec.encode(StageFrame.activations(id, chunks, hidden)));
        return p.future();
    }

    /** Tells every later stage that these sequences are finished. */
    public void release(List<StageChunk> sequences) {
        socket.write(FrameCodec.encode(StageFrame.release(sequences)));
    }

    private void reply(StageFrame frame) {
        Promise<float[]> p = pending.remove(frame.id());
        if (p == null) {
            return;
        }
        if (frame.kind() == StageFrame.Kind.OUTPUT) {
            p.complete(frame.values());
        } else {
            p.fail(new IllegalStateException(frame.error()));
        }
    }

    private void failAll(String reason) {
        pending.values().forEach(p -> p.tryFail(reason));
        pending.clear();
    }

    @Override
    public void close() {
        client.close();
    }
}
