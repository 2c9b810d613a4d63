package io.kvasir.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** Prefill workers: sized by the autoscaler from the prompt-token arrival rate. */
@ValidationRule(value = "(has(self.minReplicas) ? self.minReplicas : 1) <= (has(self.maxReplicas) ? self.maxReplicas : 8)",
        message = "minReplicas must not exceed maxReplicas")
public record PrefillPoolSpec(
        @Min(0) @JsonPropertyDescription("Replicas when autoscaling is off, and the starting point when it is on; default 1.")
        Integer replicas,
        @Min(0) @JsonPropertyDescription("Lower bound for the autoscaler; default 1.") Integer minReplicas,
        @Min(1) @JsonPropertyDescription("Upper bound for the autoscaler; default 8.") Integer maxReplicas,
        ResourceRequirements resources,
        SparseAttentionSpec sparse,
        @Min(1) @JsonPropertyDescription("Prompt tokens per second one replica sustains; the autoscaler's capacity model. Default 2000.")
        Integer tokensPerSecondPerReplica) implements ScalablePool {

    public PrefillPoolSpec {
        replicas = replicas == null ? 1 : replicas;
        minReplicas = minReplicas == null ? 1 : minReplicas;
        maxReplicas = maxReplicas == null ? 8 : maxReplicas;
        sparse = sparse == null ? new SparseAttentionSpec(null, null, null) : sparse;
        tokensPerSecondPerReplica = tokensPerSecondPerReplica == null ? 2000 : tokensPerSecondPerReplica;
    }
}
