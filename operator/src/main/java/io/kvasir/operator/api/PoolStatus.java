package io.kvasir.operator.api;

import java.util.ArrayList;
import java.util.List;

/** Replica counts of one pool, and the pods being drained before a scale-down. */
public class PoolStatus {
    private Integer desiredReplicas;
    private Integer readyReplicas;
    private List<String> draining = new ArrayList<>();
    private String lastScaleTime;

    public Integer getDesiredReplicas() {
        return desiredReplicas;
    }

    public void setDesiredReplicas(Integer desiredReplicas) {
        this.desiredReplicas = desiredReplicas;
    }

    public Integer getReadyReplicas() {
        return readyReplicas;
    }

    public void setReadyReplicas(Integer readyReplicas) {
        this.readyReplicas = readyReplicas;
    }

    public List<String> getDraining() {
        return draining;
    }

    public void setDraining(List<String> draining) {
        this.draining = draining;
    }

    public String getLastScaleTime() {
        return lastScaleTime;
    }

    public void setLastScaleTime(String lastScaleTime) {
        this.lastScaleTime = lastScaleTime;
    }
}
