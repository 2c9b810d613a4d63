package io.kvasir.operator.api;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the operator last saw and did. Rewritten on every reconciliation. */
public class KvasirClusterStatus {
    /** Decisions kept in {@link #scalingDecisions}; older ones remain in Events. */
    public static final int DECISION_HISTORY = 10;

    private Long observedGeneration;
    private List<Condition> conditions = new ArrayList<>();
    private Map<String, PoolStatus> pools = new LinkedHashMap<>();
    private ObservedMetrics observedMetrics;
    private ScalingDecision lastScalingDecision;
    private List<ScalingDecision> scalingDecisions = new ArrayList<>();

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    public Map<String, PoolStatus> getPools() {
        return pools;
    }

    public void setPools(Map<String, PoolStatus> pools) {
        this.pools = pools;
    }

    public PoolStatus pool(Pool pool) {
        return pools.computeIfAbsent(pool.key(), k -> new PoolStatus());
    }

    public ObservedMetrics getObservedMetrics() {
        return observedMetrics;
    }

    public void setObservedMetrics(ObservedMetrics observedMetrics) {
        this.observedMetrics = observedMetrics;
    }

    public ScalingDecision getLastScalingDecision() {
        return lastScalingDecision;
    }

    public void setLastScalingDecision(ScalingDecision lastScalingDecision) {
        this.lastScalingDecision = lastScalingDecision;
    }

    public List<ScalingDecision> getScalingDecisions() {
        return scalingDecisions;
    }

    public void setScalingDecisions(List<ScalingDecision> scalingDecisions) {
        this.scalingDecisions = scalingDecisions;
    }

    public void record(ScalingDecision decision) {
        lastScalingDecision = decision;
        scalingDecisions.add(decision);
        while (scalingDecisions.size() > DECISION_HISTORY) {
            scalingDecisions.removeFirst();
        }
    }
}
