package io.kvasir.kvstore;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.LocalMapStats;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/** A member's {@code GET /health} (ok once it is in a cluster) and {@code GET /metrics} (what this member owns). */
final class MemberEndpoints {

    private MemberEndpoints() {
    }

    static int start(HazelcastInstance hz, String host, int port) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 16);
        http.setExecutor(Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("member-http").unstarted(r)));
        http.createContext("/health", ex -> {
            boolean up = hz.getLifecycleService().isRunning();
            text(ex, up ? 200 : 503, up ? "ok\n" : "stopping\n");
        });
        http.createContext("/metrics", ex -> {
            IMap<KvBlockKey, byte[]> blocks = hz.getMap(KvStoreMaps.BLOCKS);
            LocalMapStats stats = blocks.getLocalMapStats();
            text(ex, 200, """
                    # TYPE kvasir_kv_store_members gauge
                    kvasir_kv_store_members %d
                    # TYPE kvasir_kv_store_blocks gauge
                    kvasir_kv_store_blocks %d
                    # TYPE kvasir_kv_store_block_bytes gauge
                    kvasir_kv_store_block_bytes %d
                    # TYPE kvasir_kv_store_backup_blocks gauge
                    kvasir_kv_store_backup_blocks %d
                    # TYPE kvasir_kv_store_gets_total counter
                    kvasir_kv_store_gets_total %d
                    # TYPE kvasir_kv_store_puts_total counter
                    kvasir_kv_store_puts_total %d
                    """.formatted(hz.getCluster().getMembers().size(), stats.getOwnedEntryCount(),
                    stats.getOwnedEntryMemoryCost(), stats.getBackupEntryCount(), stats.getGetOperationCount(),
                    stats.getPutOperationCount()));
        });
        http.start();
        return http.getAddress().getPort();
    }

    private static void text(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
