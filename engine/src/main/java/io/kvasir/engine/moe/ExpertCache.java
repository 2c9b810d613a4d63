package io.kvasir.engine.moe;

import io.kvasir.engine.model.DenseFeedForward;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.IntFunction;

/**
 * At most {@code capacity} experts of one layer in compute form. A request for an absent expert is a miss: it is
 * converted from the checkpoint (or taken from a prefetch already under way) after evicting a resident one chosen
 * by the policy. Used by the forward thread only; prefetch conversions run on {@code prefetcher}.
 */
public final class ExpertCache implements AutoCloseable {

    private final IntFunction<ExpertWeights> loader;
    private final int capacity;
    private final EvictionPolicy policy;
    private final Executor prefetcher;
    private final Map<Integer, ExpertWeights> resident = new HashMap<>();
    private final Map<Integer, Long> lastUse = new HashMap<>();
    private final Map<Integer, CompletableFuture<ExpertWeights>> staged = new HashMap<>();
    private long clock;
    // Written by the forward thread only; volatile so a metrics scrape on another thread reads current values.
    private volatile long hits, misses, prefetchedLoads;

    /** @param prefetcher runs background conversions, or null for none */
    ExpertCache(IntFunction<ExpertWeights> loader, int capacity, EvictionPolicy policy, Executor prefetcher) {
        this.loader = loader;
        this.capacity = capacity;
        this.policy = policy;
        this.prefetcher = prefetcher;
    }

    boolean isResident(int expert) {
        return resident.containsKey(expert);
    }

    /** Expert {@code expert} ready to compute, valid until the next call that may evict (acquire, close). */
    DenseFeedForward acquire(int expert, NextUse next) {
        clock++;
        ExpertWeights w = resident.get(expert);
        if (w != null) {
            hits++;
        } else {
            misses++;
            if (resident.size() >= capacity) {
                int victim = policy.victim(lastUse, next);
                lastUse.remove(victim);
                resident.remove(victim).close();
            }
            CompletableFuture<ExpertWeights> pending = staged.remove(expert);
            if (pending != null) {
                prefetchedLoads++;
            }
            w = pending != null ? pending.join() : loader.apply(expert);
            resident.put(expert, w);
        }
        lastUse.put(expert, clock);
        return w.ffn();
    }

    /**
     * Starts converting those of {@code experts} that are absent, so the coming {@link #acquire}s find them done.
     * Conversions staged earlier and never claimed are dropped first, so staging stays bounded.
     */
    void prefetch(int[] experts) {
        if (prefetcher == null) {
            return;
        }
        dropStaged();
        for (int e : experts) {
            if (!resident.containsKey(e) && !staged.containsKey(e)) {
                staged.put(e, CompletableFuture.supplyAsync(() -> loader.apply(e), prefetcher));
            }
        }
    }

    public long hits() {
        return hits;
    }

    public long misses() {
        return misses;
    }

    /** Misses whose conversion a prefetch had already started. */
    public long prefetchedLoads() {
        return prefetchedLoads;
    }

    public int resident() {
        return resident.size();
    }

    private void dropStaged() {
        for (CompletableFuture<ExpertWeights> f : staged.values()) {
            f.join().close();
        }
        staged.clear();
    }

    @Override
    public void close() {
        dropStaged();
        resident.values().forEach(ExpertWeights::close);
        resident.clear();
        lastUse.clear();
    }
}
