package io.kvasir.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** The Hazelcast members holding KV blocks; a StatefulSet behind a headless Service. */
@ValidationRule(value = "(has(self.backupCount) ? self.backupCount : 1) < (has(self.members) ? self.members : 3)",
        message = "backupCount must be below members")
public record KvStoreSpec(
        @Min(1) @JsonPropertyDescription("Number of members; default 3.") Integer members,
        @Pattern("^[0-9]+(Ki|Mi|Gi|Ti)$") @JsonPropertyDescription("Memory per member, also its container limit; default 4Gi.")
        String memory,
        @Min(0) @Max(6) @JsonPropertyDescription("Synchronous backups per block; default 1.") Integer backupCount,
        ResourceRequirements resources) {

    public KvStoreSpec {
        members = members == null ? 3 : members;
        memory = memory == null ? "4Gi" : memory;
        backupCount = backupCount == null ? 1 : backupCount;
    }
}
