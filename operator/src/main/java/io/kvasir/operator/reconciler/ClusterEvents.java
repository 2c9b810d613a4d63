package io.kvasir.operator.reconciler;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kvasir.operator.api.KvasirCluster;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kubernetes Events on a KvasirCluster, so {@code kubectl describe} tells what the operator did and why. */
public final class ClusterEvents {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterEvents.class);
    static final String COMPONENT = "kvasir-operator";

    private final KubernetesClient client;
    private final Clock clock;

    public ClusterEvents(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    public void normal(KvasirCluster cluster, String reason, String message) {
        emit(cluster, "Normal", reason, message);
    }

    public void warning(KvasirCluster cluster, String reason, String message) {
        emit(cluster, "Warning", reason, message);
    }

    private void emit(KvasirCluster cluster, String type, String reason, String message) {
        String now = DateTimeFormatter.ISO_INSTANT.format(clock.instant());
        var event = new EventBuilder()
                .withNewMetadata()
                .withName(cluster.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 13)
                        .replace("-", "").toLowerCase(Locale.ROOT))
                .withNamespace(cluster.getMetadata().getNamespace())
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion(cluster.getApiVersion())
                .withKind(cluster.getKind())
                .withName(cluster.getMetadata().getName())
                .withNamespace(cluster.getMetadata().getNamespace())
                .withUid(cluster.getMetadata().getUid())
                .endInvolvedObject()
                .withType(type)
                .withReason(reason)
                .withMessage(message)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withEventTime(new MicroTime(now))
                .withReportingComponent(COMPONENT)
                .withReportingInstance(COMPONENT)
                .withAction(reason)
                .withNewSource().withComponent(COMPONENT).endSource()
                .withCount(1)
                .build();
        try {
            client.v1().events().resource(event).create();
        } catch (RuntimeException e) {
            // An event is a courtesy to the user; failing to record one must not fail the reconciliation.
            LOG.warn("could not record event {} on {}: {}", reason, cluster.getMetadata().getName(), e.getMessage());
        }
    }
}
