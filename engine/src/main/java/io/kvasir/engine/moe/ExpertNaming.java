package io.kvasir.engine.moe;

/** Where a checkpoint keeps a layer's experts and their router, in Hugging Face naming. */
enum ExpertNaming {

    /** Qwen2-MoE and Read-ME: {@code mlp.experts.{e}.{gate,up,down}_proj}, router {@code mlp.gate}. */
    QWEN2_MOE("mlp.gate", "mlp.experts.", "gate_proj", "up_proj", "down_proj"),
    /** Mixtral: {@code block_sparse_moe.experts.{e}.w1} (gate), {@code w3} (up), {@code w2} (down). */
    MIXTRAL("block_sparse_moe.gate", "block_sparse_moe.experts.", "w1", "w3", "w2");

    private final String router, experts, gate, up, down;

    ExpertNaming(String router, String experts, String gate, String up, String down) {
        this.router = router;
        this.experts = experts;
        this.gate = gate;
        this.up = up;
        this.down = down;
    }

    String router(int layer) {
        return "model.layers." + layer + "." + router + ".weight";
    }

    String gate(int layer, int expert) {
        return name(layer, expert, gate);
    }

    String up(int layer, int expert) {
        return name(layer, expert, up);
    }

    String down(int layer, int expert) {
        return name(layer, expert, down);
    }

    private String name(int layer, int expert, String matrix) {
        return "model.layers." + layer + "." + experts + expert + "." + matrix + ".weight";
    }
}
