package io.kvasir.kvstore.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;

/** What the loopback link itself carries: one plain TCP stream, bytes copied from a writer to a reader. */
final class LoopbackCopy {

    private LoopbackCopy() {
    }

    static double mibPerSecond(long bytes) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                     OutputStream out = s.getOutputStream()) {
                    byte[] chunk = new byte[1 << 20];
                    for (long sent = 0; sent < bytes; sent += chunk.length) {
                        out.write(chunk);
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                byte[] buf = new byte[1 << 20];
                long start = System.nanoTime();
                long got = 0;
                int n;
                while ((n = in.read(buf)) > 0) {
                    got += n;
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                writer.join();
                return got / (1024.0 * 1024.0) / seconds;
            }
        }
    }
}
