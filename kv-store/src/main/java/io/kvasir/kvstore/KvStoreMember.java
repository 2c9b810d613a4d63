package io.kvasir.kvstore;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.kvasir.kvstore.handoff.WorkerArgs;

import java.util.List;

/**
 * The kv-store member server, its own process:
 * {@code KvStoreMember --port 5701 --members 127.0.0.1:5701,127.0.0.1:5702 [--cluster kvasir] [--backups 1]
 * [--max-mib 1024] [--partial-ttl-s 600]}. Prints {@code kv-store member ready} once it has joined.
 */
public final class KvStoreMember {

    public static final String READY = "kv-store member ready";

    private KvStoreMember() {
    }

    public static void main(String[] args) {
        WorkerArgs a = new WorkerArgs(args);
        int port = a.integer("--port", 5701);
        List<String> members = a.list("--members", "127.0.0.1:" + port);
        HazelcastInstance hz = Hazelcast.newHazelcastInstance(KvStoreMaps.memberConfig(a.text("--cluster", "kvasir"),
                port, members, a.integer("--backups", 1), a.integer("--max-mib", 1024), a.integer("--partial-ttl-s", 600)));
        Runtime.getRuntime().addShutdownHook(new Thread(hz::shutdown));
        System.out.println(READY + " on 127.0.0.1:" + port + " (" + hz.getCluster().getMembers().size() + " members)");
        System.out.flush();
    }
}
