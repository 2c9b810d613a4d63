package io.kvasir.gateway.workers;

import io.kvasir.kvstore.events.WorkerLoad;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.net.URI;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class WorkerPoolTest {

    private static final Comparator<WorkerPool.Worker> BY_IN_FLIGHT = Comparator.comparingInt(w -> w.inFlight.get());

    private static final class SettableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void picksTheLeastLoadedUntriedWorker() {
        WorkerPool pool = new WorkerPool(List.of("http://a:1", "http://b:2/"), Clock.systemUTC());
        WorkerPool.Worker a = pool.workers().get(0);
        WorkerPool.Worker b = pool.workers().get(1);
        a.inFlight.set(3);
        assertEquals(b, pool.pick(BY_IN_FLIGHT, Set.of()));
        assertEquals(a, pool.pick(BY_IN_FLIGHT, Set.of(b)));
        assertNull(pool.pick(BY_IN_FLIGHT, Set.of(a, b)));
    }

    @Test
    void aFailedWorkerIsPassedOverUntilItsCoolDownEnds() {
        SettableClock clock = new SettableClock();
        WorkerPool pool = new WorkerPool(List.of("http://a:1", "http://b:2"), clock);
        WorkerPool.Worker a = pool.workers().get(0);
        WorkerPool.Worker b = pool.workers().get(1);
        b.inFlight.set(5);
        pool.failed(a);
        assertEquals(b, pool.pick(BY_IN_FLIGHT, Set.of()));
        clock.now = clock.now.plus(Duration.ofSeconds(6));
        assertEquals(a, pool.pick(BY_IN_FLIGHT, Set.of()));
    }

    @Test
    void loadReportsAreMatchedByUrlAndGiveKvUsage() {
        WorkerPool pool = new WorkerPool(List.of("http://a:1", "http://b:2"), Clock.systemUTC());
        assertEquals(0, pool.kvUsageRatio());
        pool.report(new WorkerLoad("decode@b:2", "decode", 0, 4, 30, 70, 10, 0));
        pool.report(new WorkerLoad("decode@elsewhere:9", "decode", 0, 4, 100, 0, 10, 0));
        assertEquals(4, pool.workers().get(1).reported.activeSequences());
        assertNull(pool.workers().get(0).reported);
        assertEquals(0.3, pool.kvUsageRatio(), 1e-9);
    }

    @Test
    void aWorkerThatLeavesTheServiceGetsNoNewRequestsButKeepsThoseItHas() {
        WorkerPool pool = new WorkerPool(List.of("http://a:1", "http://b:2"), Clock.systemUTC());
        WorkerPool.Worker a = pool.workers().get(0);
        WorkerPool.Worker b = pool.workers().get(1);
        a.inFlight.set(5);
        b.inFlight.set(1);
        assertEquals(b, pool.pick(BY_IN_FLIGHT, Set.of()));
        pool.update(List.of(URI.create("http://a:1")));                    // b is draining
        assertEquals(a, pool.pick(BY_IN_FLIGHT, Set.of()));
        assertEquals(List.of(a, b), pool.workers(), "b still finishes its request");
        pool.report(new WorkerLoad("decode@b:2", "decode", 0, 1, 1, 9, 1, 0));
        assertEquals(1, b.reportedActive());
        b.inFlight.set(0);
        pool.update(List.of(URI.create("http://a:1")));
        assertEquals(List.of(a), pool.workers(), "an idle drained worker is forgotten");
        pool.update(List.of(URI.create("http://a:1"), URI.create("http://c:3")));
        assertEquals("c:3", pool.pick(BY_IN_FLIGHT, Set.of()).base.getAuthority());
        assertNull(new WorkerPool(List.of(), Clock.systemUTC()).pick(BY_IN_FLIGHT, Set.of()));
    }

    @Test
    void serviceNamesResolveToWorkerUrlsThroughDns() throws Exception {
        assertEquals(List.of(URI.create("http://127.0.0.1:8101")), ServiceDiscovery.resolve("127.0.0.1:8101", 8080));
        List<URI> local = ServiceDiscovery.resolve("localhost", 8080);
        assertEquals(8080, local.getFirst().getPort());
        assertEquals(true, local.stream().allMatch(u -> u.getHost().equals("127.0.0.1") || u.getHost().equals("[0:0:0:0:0:0:0:1]")), local.toString());
    }
}
