package io.kvasir.operator.reconciler;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.kvasir.operator.api.KvasirCluster;
import io.kvasir.operator.api.Pool;

/**
 * One voluntary disruption at a time per pool. For the kv-store this is what makes backups sufficient: with one
 * backup, losing a single member loses no block, losing two at once could.
 */
final class DisruptionBudgets {
    private DisruptionBudgets() {
    }

    static PodDisruptionBudget build(KvasirCluster cluster, Pool pool) {
        return new PodDisruptionBudgetBuilder()
                .withNewMetadata()
                .withName(Names.workload(cluster, pool))
                .withNamespace(cluster.getMetadata().getNamespace())
                .withLabels(Names.labels(cluster, pool))
                .endMetadata()
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(1))
                .withNewSelector().withMatchLabels(Names.selector(cluster, pool)).endSelector()
                .endSpec()
                .build();
    }
}
