package io.kvasir.engine.attention.sparse;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvasir.engine.attention.AttentionInputs;
import io.kvasir.engine.attention.AttentionPlan;
import io.kvasir.engine.kv.BlockTable;
import io.kvasir.engine.kv.KvCache;
import io.kvasir.engine.kv.KvPrecision;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * S2 head sharding: the plan is exactly DKernel's block mask (checked here against the definition written out
 * independently; SparsePlansTest checks the kernel executes it), and the KV a sharded layer must keep shrinks to
 * the pattern's share: with stride s and g query heads per KV head on distinct offsets, g/s of the blocks outside
 * the local window.
 */
class S2ShardingTest {

    @Test
    void planIsTheLocalPlusVerticalStrideMask() {
        int heads = 8, tokens = 64 * 40 + 17;
        S2Sharding s2 = new S2Sharding(3, 8, false, 0, 0);
        KvCache cache = new KvCache(1, 2, 16, 64, KvPrecision.F32);
        BlockTable table = new BlockTable(cache);
        table.append(tokens);
        AttentionInputs in = new AttentionInputs(cache.layer(0), table, new float[tokens * heads * 16], 0, tokens, 0,
                heads, 2, 16, 0);
        AttentionPlan plan = s2.plan(1, in);
        for (int h = 0; h < heads; h++) {
            for (int qb = 0; qb * 64 < tokens; qb++) {
                int last = Math.min(tokens, qb * 64 + 64) - 1;
                boolean[] seen = SparsePlansTest.visible(plan.spans(h, qb * 64, last), last);
                for (int k = 0; k <= last; k++) {
                    int kb = k / 64;
                    boolean expected = qb - kb < 3 || (kb + 1 + h) % 8 == 0;   // offset h·max(1, 8/8) = h
                    assertEquals(expected, seen[k], "head " + h + " query block " + qb + " key " + k);
                }
            }
        }
    }

    @Test
    void shardedLayerKeepsOnlyTheBlocksItsHeadsStillRead() {
        int heads = 16, tokens = 64 * 1024, blocks = 1024, local = 16, stride = 16;
        S2Sharding s2 = new S2Sharding(local, stride, false, 0, 2);
        for (int kvHeads : new int[]{16, 4}) {
            int group = heads / kvHeads;
            long kept = 0;
            for (int g = 0; g < kvHeads; g++) {
                for (boolean b : s2.keptBlocks(1, g, heads, kvHeads, tokens)) {
                    kept += b ? 1 : 0;
                }
            }
            // Outside the local window each KV head keeps one block in `stride` per query head it serves.
            double expected = kvHeads * ((double) (blocks - local + 1) * group / stride + local - 1);
            assertEquals(expected, kept, kvHeads * 2.0, "kept blocks with " + kvHeads + " KV heads");
            assertTrue(kept < 0.35 * kvHeads * blocks, "kept " + kept);
        }
        // Layer 0 is dense (every 2nd layer, from 0): nothing can be dropped there.
        for (boolean b : s2.keptBlocks(0, 0, heads, 4, tokens)) {
            assertTrue(b);
        }
    }

    @Test
    void readsPhi3SmallStyleKeysFromConfigJson() throws Exception {
        ObjectMapper json = new ObjectMapper();
        S2Sharding s2 = S2Sharding.fromModelConfig(json.readTree("""
                {"blocksparse_block_size": 64, "blocksparse_num_local_blocks": 16, "blocksparse_vert_stride": 8,
                 "blocksparse_homo_head_pattern": false, "dense_attention_every_n_layers": 2}"""));
        assertEquals(new S2Sharding(16, 8, false, 0, 2), s2);
        assertNull(S2Sharding.fromModelConfig(json.readTree("{\"hidden_size\": 64}")));
    }
}
