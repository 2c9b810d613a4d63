package io.kvasir.gateway.routing;

import java.util.Comparator;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * How the gateway ranks workers (ARCHITECTURE §7), over whatever it knows of each: its own requests in flight
 * there and the worker's latest load report. Lower ranks first.
 */
public final class RoutingChoice {

    /** What a ranking reads of one worker. */
    public interface Load {
        /** Prompt tokens this gateway sent the worker that are not prefilled yet. */
        long queuedTokens();

        /** Requests this gateway has in flight on the worker. */
        int inFlight();

        /** Whether the worker has reported its load on the event bus yet. */
        boolean reported();

        /** Requests waiting on the worker, from its report (every gateway's). */
        int reportedQueue();

        /** Sequences the worker is decoding, from its report. */
        int reportedActive();

        /** Free KV blocks, from its report. */
        int reportedFreeBlocks();
    }

    private RoutingChoice() {
    }

    /**
     * Prefill: least work queued, in uncached prompt tokens, since prefill time grows with the tokens computed, not
     * with requests. Work is this gateway's queued tokens, plus the requests the worker reports beyond this gateway's
     * own, each counted at this request's size (the reports carry counts, not sizes); then fewest in flight.
     */
    public static <W extends Load> Comparator<W> prefill(int uncachedTokens) {
        ToLongFunction<W> work = w -> w.queuedTokens()
                + (long) Math.max(0, w.reportedQueue() - w.inFlight()) * uncachedTokens;
        return Comparator.comparingLong(work).thenComparingInt(Load::inFlight);
    }

    /**
     * Decode: first the workers whose free KV blocks hold this sequence's {@code blocksNeeded} (prompt and every
     * requested token), so it can run without preempting another; among them the fewest active sequences (a
     * decode step slows with its batch); then the most free blocks. A worker that has not reported yet ranks by
     * this gateway's own requests alone.
     */
    public static <W extends Load> Comparator<W> decode(int blocksNeeded) {
        ToIntFunction<W> active = w -> Math.max(w.inFlight(), w.reportedActive());
        return Comparator.<W, Boolean>comparing(w -> w.reported() && w.reportedFreeBlocks() < blocksNeeded)
                .thenComparingInt(active)
                .thenComparingInt(w -> -w.reportedFreeBlocks());
    }
}
