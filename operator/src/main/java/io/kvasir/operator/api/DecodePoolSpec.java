package io.kvasir.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/**
 * Decode workers: sized by the autoscaler from active sequences. A worker runs its pipeline stages as processes
 * inside its own pod, so one replica is one whole decode group.
 */
@ValidationRule(value = "(has(self.minReplicas) ? self.minReplicas : 1) <= (has(self.maxReplicas) ? self.maxReplicas : 8)",
        message = "minReplicas must not exceed maxReplicas")
public record DecodePoolSpec(
        @Min(0) @JsonPropertyDescription("Replicas when autoscaling is off, and the starting point when it is on; default 1.")
        Integer replicas,
        @Min(0) @JsonPropertyDescription("Lower bound for the autoscaler; default 1.") Integer minReplicas,
        @Min(1) @JsonPropertyDescription("Upper bound for the autoscaler; default 8.") Integer maxReplicas,
        ResourceRequirements resources,
        @Min(1) @JsonPropertyDescription("Pipeline stages per decode group (split by layer range); default 1.")
        Integer pipelineStages,
        @Min(0) @JsonPropertyDescription("Experts kept resident per worker for MoE models; 0 keeps all. Default 0.")
        Integer expertCacheSize,
        @Min(1) @JsonPropertyDescription("Active sequences one replica serves within the ITL target; default 32.")
        Integer sequencesPerReplica) implements ScalablePool {

    public DecodePoolSpec {
        replicas = replicas == null ? 1 : replicas;
        minReplicas = minReplicas == null ? 1 : minReplicas;
        maxReplicas = maxReplicas == null ? 8 : maxReplicas;
        pipelineStages = pipelineStages == null ? 1 : pipelineStages;
        expertCacheSize = expertCacheSize == null ? 0 : expertCacheSize;
        sequencesPerReplica = sequencesPerReplica == null ? 32 : sequencesPerReplica;
    }
}
