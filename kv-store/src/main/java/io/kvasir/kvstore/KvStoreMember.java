package io.kvasir.kvstore;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

import java.util.Arrays;
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
        Args a = new Args(args);
        int port = a.integer("--port", 5701);
        List<String> members = Arrays.asList(a.text("--members", "127.0.0.1:" + port).split(","));
        HazelcastInstance hz = Hazelcast.newHazelcastInstance(KvStoreMaps.memberConfig(a.text("--cluster", "kvasir"),
                port, members, a.integer("--backups", 1), a.integer("--max-mib", 1024), a.integer("--partial-ttl-s", 600)));
        Runtime.getRuntime().addShutdownHook(new Thread(hz::shutdown));
        System.out.println(READY + " on 127.0.0.1:" + port + " (" + hz.getCluster().getMembers().size() + " members)");
        System.out.flush();
    }

    /** {@code --name value} pairs; an unknown or valueless option is an error. */
    private record Args(String[] args) {
        String text(String name, String fallback) {
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals(name)) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(name + " needs a value");
                    }
                    return args[i + 1];
                }
            }
            return fallback;
        }

        int integer(String name, int fallback) {
            return Integer.parseInt(text(name, Integer.toString(fallback)));
        }
    }
}
