package io.kvasir.gateway.routing;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RoutingChoiceTest {

    private record W(String name, long queuedTokens, int inFlight, boolean reported, int reportedQueue,
                     int reportedActive, int reportedFreeBlocks) implements RoutingChoice.Load {}

    private static W best(List<W> workers, java.util.Comparator<W> order) {
        return workers.stream().min(order).orElseThrow();
    }

    @Test
    void prefillGoesWhereTheFewestUncachedTokensWait() {
        W busyTokens = new W("a", 4000, 1, true, 1, 0, 0);
        W manySmall = new W("b", 300, 3, true, 3, 0, 0);
        assertEquals("b", best(List.of(busyTokens, manySmall), RoutingChoice.prefill(100)).name());
        // Requests queued there by other gateways count at this request's size: 5 foreign × 1000 > 4000.
        W othersQueue = new W("c", 0, 0, true, 5, 0, 0);
        assertEquals("a", best(List.of(busyTokens, othersQueue), RoutingChoice.prefill(1000)).name());
        assertEquals("c", best(List.of(busyTokens, othersQueue), RoutingChoice.prefill(10)).name());
        // Equal work: fewer requests in flight.
        assertEquals("e", best(List.of(new W("d", 0, 2, false, 0, 0, 0), new W("e", 0, 1, false, 0, 0, 0)),
                RoutingChoice.prefill(50)).name());
    }

    @Test
    void decodeGoesWhereTheSequenceFitsThenToTheSmallestBatchThenTheMostFreeBlocks() {
        W full = new W("full", 0, 0, true, 0, 1, 3);
        W busy = new W("busy", 0, 2, true, 0, 12, 500);
        assertEquals("busy", best(List.of(full, busy), RoutingChoice.decode(8)).name());
        W idle = new W("idle", 0, 0, true, 0, 4, 100);
        assertEquals("idle", best(List.of(full, busy, idle), RoutingChoice.decode(8)).name());
        W roomier = new W("roomier", 0, 1, true, 0, 4, 400);
        assertEquals("roomier", best(List.of(idle, roomier), RoutingChoice.decode(8)).name());
        // This gateway's own requests count when the report lags behind them.
        W lagging = new W("lagging", 0, 9, true, 0, 2, 900);
        assertEquals("idle", best(List.of(idle, lagging), RoutingChoice.decode(8)).name());
        // A worker that has not reported is not presumed full.
        W silent = new W("silent", 0, 0, false, 0, 0, 0);
        assertEquals("silent", best(List.of(silent, busy), RoutingChoice.decode(8)).name());
    }
}
