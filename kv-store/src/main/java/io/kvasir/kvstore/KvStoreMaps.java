package io.kvasir.kvstore;

import com.hazelcast.config.Config;
import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MaxSizePolicy;

/** The member configuration: the two block maps, their backups, size bound, TTL, and how members find each other. */
public final class KvStoreMaps {

    /** Full blocks, shared by every request with the same prefix; evicted least recently used. */
    public static final String BLOCKS = "kv-blocks";
    /** Partial last blocks of one request; they expire. */
    public static final String PARTIALS = "kv-partial";

    private KvStoreMaps() {
    }

    /**
     * @param maxMibPerMember heap the block map may use on each member before LRU eviction; Hazelcast enforces it
     *                        per partition (its share of 271), so it must be well above 271 records
     * @param partialTtlSeconds how long a request's partial block lives
     */
    public static Config memberConfig(String clusterName, int port, MemberDiscovery discovery, int backups,
                                      int maxMibPerMember, int partialTtlSeconds) {
        Config config = new Config();
        config.setClusterName(clusterName);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
        discovery.applyTo(config, port);
        config.addMapConfig(new MapConfig(BLOCKS)
                .setBackupCount(backups)
                .setInMemoryFormat(InMemoryFormat.BINARY)
                .setEvictionConfig(new EvictionConfig()
                        .setEvictionPolicy(EvictionPolicy.LRU)
                        .setMaxSizePolicy(MaxSizePolicy.USED_HEAP_SIZE)
                        .setSize(maxMibPerMember)));
        config.addMapConfig(new MapConfig(PARTIALS)
                .setBackupCount(backups)
                .setInMemoryFormat(InMemoryFormat.BINARY)
                .setTimeToLiveSeconds(partialTtlSeconds));
        return config;
    }
}
