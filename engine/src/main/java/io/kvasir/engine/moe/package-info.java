/**
 * Mixture-of-experts feed-forward steps and the expert cache.
 *
 * <h2>Forms</h2>
 * <ul>
 *   <li>{@code Qwen2MoeForCausalLM}: per MoE layer a router {@code model.layers.{l}.mlp.gate.weight [E, H]}; softmax,
 *       top {@code num_experts_per_tok}, renormalized when {@code norm_topk_prob}; experts
 *       {@code mlp.experts.{e}.{gate,up,down}_proj.weight} of width {@code moe_intermediate_size}; a shared expert
 *       {@code mlp.shared_expert.{gate,up,down}_proj.weight} of width {@code shared_expert_intermediate_size}, scaled
 *       by {@code sigmoid(mlp.shared_expert_gate.weight [1, H] · x)}. Layer l has experts when
 *       {@code (l + 1) % decoder_sparse_step == 0} and l is not in {@code mlp_only_layers}; other layers keep a dense
 *       {@code mlp.{gate,up,down}_proj} of {@code intermediate_size}.</li>
 *   <li>{@code MixtralForCausalLM}: router {@code block_sparse_moe.gate.weight [E, H]}, top {@code num_experts_per_tok}
 *       of {@code num_local_experts} renormalized; experts {@code block_sparse_moe.experts.{e}.w1} (gate),
 *       {@code w3} (up), {@code w2} (down) of width {@code intermediate_size}.</li>
 *   <li>{@code ReadMeForCausalLM} (Read-ME): Llama-style attention; every layer's MLP is replaced by
 *       {@code num_experts} experts {@code model.layers.{l}.mlp.experts.{e}.{gate,up,down}_proj.weight} of width
 *       {@code moe_intermediate_size}, and one pre-gating router chooses a single expert per token for all layers.
 *       The router is a causal Llama decoder over the token ids, configured by
 *       <pre>
 *   "readme_router": {"num_layers": 1, "hidden_size": 128, "intermediate_size": 256,
 *                     "num_attention_heads": 4, "num_key_value_heads": 4, "rope_theta": 10000.0, "rms_norm_eps": 1e-6}
 *       </pre>
 *       ({@code num_key_value_heads}, {@code rope_theta}, {@code rms_norm_eps} optional), with tensors
 *       {@code router.embed_tokens.weight [V, Hr]}, {@code router.layers.{i}.{input_layernorm, post_attention_layernorm}.weight},
 *       {@code router.layers.{i}.self_attn.{q,k,v,o}_proj.weight}, {@code router.layers.{i}.mlp.{gate,up,down}_proj.weight},
 *       {@code router.norm.weight} and {@code router.lm_head.weight [E, Hr]}; a token's expert is the argmax of the
 *       head at its position (no bias, RoPE rotate-halves, as in Llama).</li>
 * </ul>
 *
 * <h2>Expert cache</h2>
 * Each MoE layer keeps at most {@code capacity} experts in compute form (an F32 or Q8_0 copy converted from the
 * memory-mapped checkpoint, in memory of its own that eviction frees). A pass's tokens are grouped by expert and each
 * expert runs once over its group, resident experts first. On a miss the policy evicts: LRU, or Belady using the
 * rest of the pass and the passes announced through {@link io.kvasir.engine.moe.MixtureOfExperts#announce} (the
 * router's choices for queued tokens). With prefetch, a Read-ME layer starts converting the next layer's missing
 * experts (the last layer: the first layer's for the next announced pass) on a background thread; such staged copies
 * are bounded by the experts of one pass and are not counted as resident until used. In ordinary decode the
 * {@link io.kvasir.engine.runtime.DecodeLoop} hands the engine its preempted and waiting sequences (at most
 * {@link io.kvasir.engine.runtime.InferenceEngine#MAX_LOOKAHEAD}) in the order they will join, and the engine
 * announces the router's expert for each one's next token; the active sequences' next experts exist only once a
 * pass has sampled their tokens. Hits and misses over all layers are the worker's
 * {@code kvasir_expert_cache_hits_total} and {@code kvasir_expert_cache_misses_total}.
 */
package io.kvasir.engine.moe;
