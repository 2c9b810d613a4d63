package io.kvasir.kvstore.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.model.DemoShape;
import io.kvasir.engine.model.ModelConfig;
import io.kvasir.kvstore.BlockHashes;
import io.kvasir.kvstore.ChainHash;
import io.kvasir.kvstore.KvBlockKey;
import io.kvasir.kvstore.KvBlockRecord;
import io.kvasir.kvstore.KvDtype;
import io.kvasir.kvstore.KvStoreClient;
import io.kvasir.kvstore.handoff.WorkerArgs;
import io.kvasir.kvstore.handoff.WorkerJson;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code bench kv --json FILE}: a two-member cluster in child processes, this process its client. Measures batched
 * parallel put and get throughput, the handoff of a 16K-token prompt's KV on the {@code small} shape (BF16; the
 * prefill side's put plus the decode side's get of every layer of every block), and a plain loopback TCP copy.
 */
public final class KvBenchmark {

    private static final int HANDOFF_TOKENS = 16384;
    private static final int ROUNDS = 3;

    private KvBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path json = Path.of(new WorkerArgs(args).text("--json", null));
        ModelConfig small = DemoShape.SMALL.config(151936, 0, List.of(0));
        ObjectNode root = WorkerJson.MAPPER.createObjectNode();
        root.put("suite", "kv");
        try (MemberProcesses members = new MemberProcesses(2, 1024);
             KvStoreClient client = KvStoreClient.connect(members.cluster(), members.addresses())) {
            Map<KvBlockKey, KvBlockRecord> prompt = promptKv(small, "bench-" + System.nanoTime());
            long bytes = prompt.values().stream().mapToLong(KvBlockRecord::sizeBytes).sum();
            double mib = bytes / (1024.0 * 1024.0);
            client.putAll(prompt).join();                              // warm-up: connections, partitions, JIT
            client.getAll(prompt.keySet());
            double bestPut = 0, bestGet = 0, bestHandoffMs = Double.MAX_VALUE;
            for (int round = 0; round < ROUNDS; round++) {
                Map<KvBlockKey, KvBlockRecord> fresh = promptKv(small, "bench-" + round + "-" + System.nanoTime());
                long t0 = System.nanoTime();
                client.putAll(fresh).join();
                long t1 = System.nanoTime();
                Map<KvBlockKey, KvBlockRecord> got = client.getAll(fresh.keySet());
                long t2 = System.nanoTime();
                if (got.size() != fresh.size()) {
                    throw new IllegalStateException("the store returned " + got.size() + " of " + fresh.size() + " records");
                }
                bestPut = Math.max(bestPut, mib / ((t1 - t0) / 1e9));
                bestGet = Math.max(bestGet, mib / ((t2 - t1) / 1e9));
                bestHandoffMs = Math.min(bestHandoffMs, (t2 - t0) / 1e6);
            }
            root.put("put_mib_s", bestPut);
            root.put("get_mib_s", bestGet);
            ObjectNode handoff = root.putObject("handoff");
            handoff.put("shape", "small");
            handoff.put("tokens", HANDOFF_TOKENS);
            handoff.put("records", prompt.size());
            handoff.put("bytes", bytes);
            handoff.put("ms", bestHandoffMs);
            root.put("members", 2);
            root.put("backups", 1);
        }
        root.put("loopback_mib_s", LoopbackCopy.mibPerSecond(2L << 30));
        WorkerJson.MAPPER.writerWithDefaultPrettyPrinter().writeValue(json.toFile(), root);
        System.out.println(root.toPrettyString());
    }

    /** Every layer of every block of a prompt, BF16 with random contents; distinct model names keep rounds apart. */
    private static Map<KvBlockKey, KvBlockRecord> promptKv(ModelConfig c, String model) {
        SplittableRandom r = new SplittableRandom(model.hashCode());
        int[] tokens = new int[HANDOFF_TOKENS];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = r.nextInt(c.vocabSize());
        }
        List<ChainHash> hashes = BlockHashes.of(tokens);
        int bytes = KvCache.BLOCK_TOKENS * c.numKvHeads() * c.headDim() * KvDtype.BF16.bytes();
        Map<KvBlockKey, KvBlockRecord> out = new HashMap<>();
        for (ChainHash h : hashes) {
            for (int l = 0; l < c.numLayers(); l++) {
                byte[] k = new byte[bytes];
                byte[] v = new byte[bytes];
                r.nextBytes(k);
                r.nextBytes(v);
                out.put(KvBlockKey.full(model, h, l), new KvBlockRecord(KvDtype.BF16, KvCache.BLOCK_TOKENS,
                        c.numKvHeads(), c.headDim(), KvBlockRecord.allHeads(c.numKvHeads()), k, v));
            }
        }
        return out;
    }
}
