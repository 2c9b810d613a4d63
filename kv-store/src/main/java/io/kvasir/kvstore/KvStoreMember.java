package io.kvasir.kvstore;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryEvictedListener;
import io.kvasir.kvstore.events.EventBus;
import io.kvasir.kvstore.events.EventBuses;
import io.kvasir.kvstore.events.HazelcastEventBus;
import io.kvasir.kvstore.events.KvEvent;
import io.kvasir.kvstore.handoff.WorkerArgs;

import java.util.List;

/**
 * The kv-store member server, its own process:
 * {@code KvStoreMember --port 5701 --members 127.0.0.1:5701,127.0.0.1:5702 [--cluster kvasir] [--backups 1]
 * [--max-mib 1024] [--partial-ttl-s 600] [--http-port 0] [--kafka host:port,…]}; with {@code --kafka} its events go
 * to Kafka instead of the cluster's own topics. In Kubernetes, {@link MemberDiscovery}'s environment variables
 * replace {@code --members}. Prints {@code kv-store member ready} once it has joined;
 * {@code --http-port} serves {@code /health} and {@code /metrics}.
 */
public final class KvStoreMember {

    public static final String READY = "kv-store member ready";

    private KvStoreMember() {
    }

    /** Each member reports the blocks it evicts itself, so every eviction is reported once. */
    static void publishEvictions(HazelcastInstance hz, EventBus bus, String source) {
        IMap<KvBlockKey, byte[]> blocks = hz.getMap(KvStoreMaps.BLOCKS);
        blocks.addLocalEntryListener((EntryEvictedListener<KvBlockKey, byte[]>) e -> bus.publish(new KvEvent(
                KvEvent.Kind.EVICTED, e.getKey().model(), List.of(e.getKey().hash().toString()), e.getKey().layer(),
                source, System.currentTimeMillis())));
    }

    public static void main(String[] args) throws java.io.IOException {
        WorkerArgs a = new WorkerArgs(args);
        int port = a.integer("--port", 5701);
        List<String> members = a.list("--members", "127.0.0.1:" + port);
        MemberDiscovery discovery = MemberDiscovery.from(System.getenv(), members);
        HazelcastInstance hz = Hazelcast.newHazelcastInstance(KvStoreMaps.memberConfig(a.text("--cluster", "kvasir"),
                port, discovery, a.integer("--backups", 1), a.integer("--max-mib", 1024), a.integer("--partial-ttl-s", 600)));
        Runtime.getRuntime().addShutdownHook(new Thread(hz::shutdown));
        EventBus bus = EventBuses.choose(a.text("--kafka", ""), (short) 1, () -> new HazelcastEventBus(hz));
        publishEvictions(hz, bus, "kv-store member 127.0.0.1:" + port);
        // Locally only this machine may call it; in a pod, the kubelet and Prometheus come from outside.
        String httpHost = discovery instanceof MemberDiscovery.Loopback ? "127.0.0.1" : "0.0.0.0";
        int http = MemberEndpoints.start(hz, httpHost, a.integer("--http-port", 0));
        System.out.println(READY + " (" + hz.getCluster().getMembers().size() + " members, health and metrics on " + httpHost
                + ":" + http + ") on port " + port);
        System.out.flush();
    }
}
