package io.kvasir.kvstore;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.kvasir.kvstore.events.EventBus;
import io.kvasir.kvstore.events.HazelcastEventBus;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A worker's view of the KV store: writes and reads block records, many at once and in parallel (one operation at
 * a time over loopback reaches a fraction of the link). A record that fails its checks is reported missing.
 */
public final class KvStoreClient implements AutoCloseable {

    private final HazelcastInstance hazelcast;
    private final boolean owned;
    private final IMap<KvBlockKey, byte[]> blocks;
    private final IMap<KvBlockKey, byte[]> partials;
    private final AtomicLong corrupt = new AtomicLong();
    /** Records per {@code IMap.getAll} (256 records of the small shape are about 8 MiB). */
    static final int GET_BATCH = 256;

    /** Uses an existing member or client (not closed with this). */
    public KvStoreClient(HazelcastInstance hazelcast) {
        this(hazelcast, false);
    }

    private KvStoreClient(HazelcastInstance hazelcast, boolean owned) {
        this.hazelcast = hazelcast;
        this.owned = owned;
        this.blocks = hazelcast.getMap(KvStoreMaps.BLOCKS);
        this.partials = hazelcast.getMap(KvStoreMaps.PARTIALS);
    }

    /** Joins the cluster as a client; {@code members} as host:port, loopback locally. */
    public static KvStoreClient connect(String clusterName, List<String> members) {
        ClientConfig config = new ClientConfig();
        config.setClusterName(clusterName);
        // Inside Quarkus the application's classes are not on the system class loader Hazelcast's threads may see.
        config.setClassLoader(KvStoreClient.class.getClassLoader());
        config.getNetworkConfig().setAddresses(new ArrayList<>(members));
        config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(30_000);
        return new KvStoreClient(HazelcastClient.newHazelcastClient(config), true);
    }

    /** Stores records; full blocks for reuse (evicted LRU), partial ones request-scoped (they expire). */
    public CompletableFuture<Void> putAll(Map<KvBlockKey, KvBlockRecord> records) {
        Map<KvBlockKey, byte[]> full = new HashMap<>();
        Map<KvBlockKey, byte[]> partial = new HashMap<>();
        records.forEach((key, r) -> (key.isPartial() ? partial : full).put(key, r.encode()));
        List<CompletableFuture<Void>> puts = new ArrayList<>(2);
        if (!full.isEmpty()) {
            puts.add(blocks.putAllAsync(full).toCompletableFuture());
        }
        if (!partial.isEmpty()) {
            puts.add(partials.putAllAsync(partial).toCompletableFuture());
        }
        return CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new));
    }

    /**
     * The valid records among {@code keys}; missing and corrupt ones are absent. Read in batches of
     * {@link #GET_BATCH} records, every batch at once: Hazelcast splits a batch by partition owner, one operation
     * per member, where single gets cost one per record ({@code bench kv} get on loopback, measured under load: 100–150
     * MiB/s with one async get per record, 320–530 MiB/s batched).
     */
    public Map<KvBlockKey, KvBlockRecord> getAll(Collection<KvBlockKey> keys) {
        List<KvBlockKey> full = new ArrayList<>();
        List<KvBlockKey> partial = new ArrayList<>();
        for (KvBlockKey key : keys) {
            (key.isPartial() ? partial : full).add(key);
        }
        List<CompletableFuture<Map<KvBlockKey, byte[]>>> batches = new ArrayList<>();
        try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
            readInBatches(blocks, full, readers, batches);
            readInBatches(partials, partial, readers, batches);
            Map<KvBlockKey, KvBlockRecord> out = new HashMap<>();
            for (CompletableFuture<Map<KvBlockKey, byte[]>> batch : batches) {
                join(batch).forEach((key, bytes) -> {
                    if (bytes != null) {
                        KvBlockRecord.decode(bytes).ifPresentOrElse(r -> out.put(key, r), corrupt::incrementAndGet);
                    }
                });
            }
            return out;
        }
    }

    private static void readInBatches(IMap<KvBlockKey, byte[]> map, List<KvBlockKey> keys, ExecutorService readers,
                                      List<CompletableFuture<Map<KvBlockKey, byte[]>>> batches) {
        for (int from = 0; from < keys.size(); from += GET_BATCH) {
            Set<KvBlockKey> batch = new HashSet<>(keys.subList(from, Math.min(keys.size(), from + GET_BATCH)));
            batches.add(CompletableFuture.supplyAsync(() -> map.getAll(batch), readers));
        }
    }

    /**
     * The longest prefix of {@code hashes} whose every layer is stored and valid, with those records: index
     * {@code [block][layer]}.
     */
    public List<KvBlockRecord[]> longestPrefix(String model, List<ChainHash> hashes, int layers) {
        List<KvBlockKey> keys = new ArrayList<>(hashes.size() * layers);
        for (ChainHash h : hashes) {
            for (int l = 0; l < layers; l++) {
                keys.add(KvBlockKey.full(model, h, l));
            }
        }
        Map<KvBlockKey, KvBlockRecord> found = getAll(keys);
        List<KvBlockRecord[]> prefix = new ArrayList<>();
        for (ChainHash h : hashes) {
            KvBlockRecord[] block = new KvBlockRecord[layers];
            for (int l = 0; l < layers; l++) {
                block[l] = found.get(KvBlockKey.full(model, h, l));
                if (block[l] == null) {
                    return prefix;
                }
            }
            prefix.add(block);
        }
        return prefix;
    }

    /** Whether the connection is up and sees at least one member. */
    public boolean connected() {
        return hazelcast.getLifecycleService().isRunning() && !hazelcast.getCluster().getMembers().isEmpty();
    }

    /** The event bus on the same cluster connection. */
    public EventBus eventBus() {
        return new HazelcastEventBus(hazelcast);
    }

    /** Records read from the store that failed their checks, since start. */
    public long corruptRecords() {
        return corrupt.get();
    }

    /** Stores raw bytes under a key: for tests and tools that must write what a faulty writer would. */
    public void putRaw(KvBlockKey key, byte[] bytes) {
        (key.isPartial() ? partials : blocks).set(key, bytes);
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KvStoreException("interrupted while reading the KV store", e);
        } catch (Exception e) {
            throw new KvStoreException("reading the KV store failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (owned) {
            hazelcast.shutdown();
        }
    }
}
