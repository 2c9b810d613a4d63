package io.kvasir.operator.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kvasir.operator.api.AutoscalingSpec;
import io.kvasir.operator.api.KvasirCluster;
import io.kvasir.operator.api.KvasirClusterSpec;
import io.kvasir.operator.api.Pool;
import io.kvasir.operator.api.PrefillPoolSpec;
import io.kvasir.operator.api.ScalingAction;
import io.kvasir.operator.api.ScalingDecision;
import io.kvasir.operator.reconciler.Names;
import io.kvasir.operator.testing.MutableClock;
import io.kvasir.operator.testing.Samples;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The autoscaler on synthetic metric series and an injected clock; pods live in Fabric8's mock API server so the
 * drain marks are real API writes. Targets: TTFT 2 s, ITL 0.1 s, interval 15 s, cooldown 300 s, drain timeout
 * 600 s; prefill sustains 2000 prompt tokens/s per replica (1600 with headroom), decode 32 sequences per replica.
 */
@EnableKubernetesMockClient(crud = true)
class AutoscalerTest {
    private static int testCount;
    private static final Duration INTERVAL = Duration.ofSeconds(15);

    KubernetesClient client;
    /** The mock server lives as long as the class; a namespace per test keeps the tests' pods apart. */
    private final String ns = "llm-" + ++testCount;
    private MutableClock clock;
    private SyntheticLoad load;
    private final Map<String, Integer> activeRequests = new HashMap<>();
    private Autoscaler autoscaler;
    private KvasirCluster cluster;
    private final List<ScalingDecision> decisions = new ArrayList<>();

    @BeforeEach
    void setUp() {
        clock = new MutableClock(Instant.parse("2026-11-26T04:00:00Z"));
        load = new SyntheticLoad(clock);
        var probe = (PodLoadProbe) pod -> activeRequests.containsKey(pod.getMetadata().getName())
                ? OptionalInt.of(activeRequests.get(pod.getMetadata().getName())) : OptionalInt.empty();
        autoscaler = new Autoscaler(clock, load, new PoolPods(client), probe);
        cluster = Samples.exampleCluster(ns);
        cluster.getMetadata().setUid("uid-1");
        withPrefillBounds(2, 8);
        cluster.getStatus().pool(Pool.PREFILL).setDesiredReplicas(4);
        cluster.getStatus().pool(Pool.DECODE).setDesiredReplicas(2);
        for (int i = 0; i < 4; i++) {
            createPod(Pool.PREFILL, "prefill-" + i, i);
        }
        createPod(Pool.DECODE, "decode-0", 0);
        createPod(Pool.DECODE, "decode-1", 1);
        evaluate(); // the first sample only primes the rates
    }

    @Test
    void risingTtftScalesPrefillUpWithinOneInterval() {
        step(6000, 1.5, 64, 0.05);
        assertThat(decisions).isEmpty();

        step(6000, 5.0, 64, 0.05);

        assertThat(decisions).singleElement().satisfies(d -> {
            assertThat(d.pool()).isEqualTo("prefill");
            assertThat(d.action()).isEqualTo(ScalingAction.SCALE_UP);
            assertThat(d.fromReplicas()).isEqualTo(4);
            assertThat(d.toReplicas()).isEqualTo(8);
            assertThat(d.reason()).contains("p90 TTFT").contains("above target 2.000s");
        });
        assertThat(desired(Pool.PREFILL)).isEqualTo(8);
        assertThat(cluster.getStatus().getObservedMetrics().ttftP90Seconds()).isBetween(4.0, 8.0);
    }

    @Test
    void risingPromptRateScalesPrefillByTheCapacityModel() {
        step(9000, 1.0, 64, 0.05);

        // 9000 tokens/s over 1600 per replica at 80% utilisation: 5.6, so 6 replicas.
        assertThat(decisions).singleElement().satisfies(d -> {
            assertThat(d.toReplicas()).isEqualTo(6);
            assertThat(d.reason()).startsWith("prompt tokens 9000/s");
        });
    }

    @Test
    void decodeScalesWithActiveSequencesAndOnItl() {
        step(3000, 1.0, 100, 0.05);
        assertThat(decisions).singleElement().satisfies(d -> {
            assertThat(d.pool()).isEqualTo("decode");
            assertThat(d.toReplicas()).isEqualTo(4);
            assertThat(d.reason()).startsWith("100 active sequences");
        });
        decisions.clear();

        step(3000, 1.0, 100, 0.3);
        assertThat(decisions).singleElement().satisfies(d -> {
            assertThat(d.toReplicas()).isEqualTo(8);
            assertThat(d.reason()).contains("p90 ITL");
        });
    }

    @Test
    void evaluatesAtMostOncePerInterval() {
        clock.advance(Duration.ofSeconds(5));
        load.run(Duration.ofSeconds(5), 50_000, 8.0, 64, 0.05);
        assertThat(autoscaler.evaluate(cluster)).isEmpty();
        assertThat(desired(Pool.PREFILL)).isEqualTo(4);
    }

    @Test
    void idleLoadScalesDownOnlyAfterTheCooldownAndNeverBelowMin() {
        prefillPods().forEach(p -> activeRequests.put(p, 0));
        Duration idle = Duration.ZERO;
        while (decisions.isEmpty()) {
            step(0, 0, 64, 0.05);
            idle = idle.plus(INTERVAL);
            assertThat(idle).isLessThanOrEqualTo(Duration.ofSeconds(330));
        }
        assertThat(idle).isGreaterThanOrEqualTo(Duration.ofSeconds(300));
        ScalingDecision drain = decisions.getLast();
        assertThat(drain.action()).isEqualTo(ScalingAction.DRAIN_STARTED);
        assertThat(drain.toReplicas()).isEqualTo(2);
        assertThat(drain.reason()).contains("held for the 300s cooldown");

        step(0, 0, 64, 0.05);
        assertThat(decisions.getLast().action()).isEqualTo(ScalingAction.SCALE_DOWN);
        assertThat(desired(Pool.PREFILL)).isEqualTo(2);

        int before = decisions.size();
        for (int i = 0; i < 60; i++) {
            step(0, 0, 64, 0.05);
        }
        assertThat(decisions).hasSize(before);
        assertThat(desired(Pool.PREFILL)).isEqualTo(2);
    }

    @Test
    void aFlappingSignalDoesNotOscillate() {
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            step(i % 2 == 0 ? 9000 : 1000, 1.0, i % 2 == 0 ? 100 : 10, 0.05);
            sizes.add(desired(Pool.PREFILL) * 100 + desired(Pool.DECODE));
        }
        assertThat(decisions).extracting(ScalingDecision::action).containsOnly(ScalingAction.SCALE_UP);
        assertThat(decisions).as("both pools grow on the first peak").hasSize(2);
        assertThat(sizes.stream().distinct().count()).as("then hold through every trough").isEqualTo(1);
    }

    @Test
    void scaleDownWaitsUntilDrainingPodsAreIdle() {
        prefillPods().forEach(p -> activeRequests.put(p, 3));
        stepUntilDrainStarts();
        List<String> draining = cluster.getStatus().pool(Pool.PREFILL).getDraining();
        assertThat(draining).hasSize(2);
        for (String name : draining) {
            Pod pod = pod(name);
            assertThat(pod.getMetadata().getLabels()).containsEntry(Names.SERVING, "false");
            assertThat(pod.getMetadata().getAnnotations()).containsEntry(PoolPods.DRAINING, "true");
        }

        for (int i = 0; i < 5; i++) {
            step(0, 0, 64, 0.05);
        }
        assertThat(decisions.getLast().action()).isEqualTo(ScalingAction.DRAIN_STARTED);
        assertThat(desired(Pool.PREFILL)).as("no pod removed while it serves").isEqualTo(4);
        assertThat(pod(draining.getFirst()).getMetadata().getAnnotations()).doesNotContainKey(PoolPods.DELETION_COST);

        draining.forEach(p -> activeRequests.put(p, 0));
        step(0, 0, 64, 0.05);

        assertThat(decisions.getLast().action()).isEqualTo(ScalingAction.SCALE_DOWN);
        assertThat(decisions.getLast().reason()).contains(draining.get(0) + " idle", draining.get(1) + " idle");
        assertThat(desired(Pool.PREFILL)).isEqualTo(2);
        for (String name : draining) {
            assertThat(pod(name).getMetadata().getAnnotations())
                    .containsEntry(PoolPods.DELETION_COST, Integer.toString(Integer.MIN_VALUE));
        }
        prefillPods().stream().filter(p -> !draining.contains(p)).forEach(kept ->
                assertThat(pod(kept).getMetadata().getAnnotations()).doesNotContainKey(PoolPods.DELETION_COST));
    }

    @Test
    void aDrainThatNeverEndsIsCutOffByTheTimeout() {
        prefillPods().forEach(p -> activeRequests.put(p, 3));
        stepUntilDrainStarts();
        Instant started = clock.instant();
        while (decisions.getLast().action() == ScalingAction.DRAIN_STARTED) {
            step(0, 0, 64, 0.05);
        }
        assertThat(Duration.between(started, clock.instant())).isBetween(Duration.ofSeconds(600),
                Duration.ofSeconds(615));
        assertThat(decisions.getLast().action()).isEqualTo(ScalingAction.SCALE_DOWN);
        assertThat(decisions.getLast().reason()).contains("timed out with 3 active requests");
    }

    @Test
    void loadReturningDuringADrainCancelsIt() {
        prefillPods().forEach(p -> activeRequests.put(p, 3));
        stepUntilDrainStarts();
        List<String> draining = List.copyOf(cluster.getStatus().pool(Pool.PREFILL).getDraining());

        step(6000, 1.0, 64, 0.05);

        assertThat(decisions.getLast().action()).isEqualTo(ScalingAction.DRAIN_CANCELLED);
        assertThat(cluster.getStatus().pool(Pool.PREFILL).getDraining()).isEmpty();
        for (String name : draining) {
            assertThat(pod(name).getMetadata().getLabels()).containsEntry(Names.SERVING, "true");
            assertThat(pod(name).getMetadata().getAnnotations()).doesNotContainKey(PoolPods.DRAINING);
        }
    }

    @Test
    void loadReturningPartWayReleasesOnlyThePodsItNeeds() {
        prefillPods().forEach(p -> activeRequests.put(p, 3));
        stepUntilDrainStarts();
        List<String> draining = List.copyOf(cluster.getStatus().pool(Pool.PREFILL).getDraining());

        // 4000 tokens/s over 1600 per replica: 3 replicas, one more than the drain would leave.
        step(4000, 1.0, 64, 0.05);

        assertThat(decisions.getLast().action()).isEqualTo(ScalingAction.DRAIN_CANCELLED);
        assertThat(decisions.getLast().toReplicas()).isEqualTo(3);
        assertThat(cluster.getStatus().pool(Pool.PREFILL).getDraining()).containsExactly(draining.getFirst());
        assertThat(pod(draining.getLast()).getMetadata().getLabels()).containsEntry(Names.SERVING, "true");

        activeRequests.put(draining.getFirst(), 0);
        step(4000, 1.0, 64, 0.05);
        assertThat(decisions.getLast().action()).isEqualTo(ScalingAction.SCALE_DOWN);
        assertThat(desired(Pool.PREFILL)).isEqualTo(3);
    }

    @Test
    void everyDecisionIsInStatusWithItsReason() {
        prefillPods().forEach(p -> activeRequests.put(p, 0));
        step(9000, 5.0, 200, 0.05);
        for (int i = 0; i < 30; i++) {
            step(0, 0, 10, 0.05);
        }
        assertThat(decisions).extracting(ScalingDecision::action).contains(ScalingAction.SCALE_UP,
                ScalingAction.DRAIN_STARTED, ScalingAction.SCALE_DOWN);
        var status = cluster.getStatus();
        assertThat(status.getScalingDecisions())
                .containsExactlyElementsOf(decisions.subList(Math.max(0, decisions.size() - 10), decisions.size()));
        assertThat(status.getLastScalingDecision()).isEqualTo(decisions.getLast());
        assertThat(decisions).allSatisfy(d -> assertThat(d.reason()).isNotBlank());
    }

    private void stepUntilDrainStarts() {
        for (int i = 0; i < 30 && decisions.isEmpty(); i++) {
            step(0, 0, 64, 0.05);
        }
        assertThat(decisions).singleElement().extracting(ScalingDecision::action)
                .isEqualTo(ScalingAction.DRAIN_STARTED);
    }

    /** One interval of the given traffic, then an evaluation. */
    private void step(double promptTokensPerSecond, double ttft, double activeSequences, double itl) {
        clock.advance(INTERVAL);
        load.run(INTERVAL, promptTokensPerSecond, ttft, activeSequences, itl);
        evaluate();
    }

    private void evaluate() {
        List<ScalingDecision> taken = autoscaler.evaluate(cluster);
        assertThat(cluster.getStatus().getScalingDecisions()).containsAll(taken);
        decisions.addAll(taken);
    }

    private int desired(Pool pool) {
        return cluster.getStatus().pool(pool).getDesiredReplicas();
    }

    private List<String> prefillPods() {
        return List.of("prefill-0", "prefill-1", "prefill-2", "prefill-3");
    }

    private Pod pod(String name) {
        return client.pods().inNamespace(ns).withName(name).get();
    }

    private void createPod(Pool pool, String name, int ageRank) {
        var labels = new HashMap<>(Names.selector(cluster, pool));
        labels.put(Names.SERVING, "true");
        client.resource(new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(ns).withLabels(labels)
                .withCreationTimestamp(Instant.parse("2026-11-26T03:00:00Z").plusSeconds(ageRank).toString())
                .endMetadata()
                .withNewStatus().withPodIP("10.0.0." + (ageRank + 10))
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus()
                .build()).create();
    }

    private void withPrefillBounds(int min, int max) {
        KvasirClusterSpec spec = cluster.getSpec();
        PrefillPoolSpec p = spec.prefill();
        AutoscalingSpec a = spec.autoscaling();
        cluster.setSpec(new KvasirClusterSpec(spec.model(), spec.image(), spec.gateway(),
                new PrefillPoolSpec(4, min, max, p.resources(), p.sparse(), p.tokensPerSecondPerReplica()),
                spec.decode(), spec.kvStore(), spec.eventBus(),
                new AutoscalingSpec(true, 2.0, 0.1, a.maxQueue(), 15, 300, 600)));
    }
}
