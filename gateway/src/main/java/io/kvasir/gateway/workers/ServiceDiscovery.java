package io.kvasir.gateway.workers;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a worker pool in step with a headless Kubernetes Service, whose DNS name resolves to the addresses of its
 * ready pods that carry {@code kvasir.io/serving=true}. The operator drains a pod by setting that label to
 * {@code false}, so a draining worker drops out of the name and, at the next refresh, out of the pool: it gets no
 * new requests and finishes those it has. How soon depends on the refresh period plus the JVM's DNS cache
 * ({@code networkaddress.cache.ttl}, 30 s by default; the gateway's image should lower it).
 */
final class ServiceDiscovery implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ServiceDiscovery.class.getName());

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("kvasir-discovery").unstarted(r));

    /**
     * @param service {@code host} or {@code host:port} of the Service
     * @param port    the workers' HTTP port when {@code service} names none
     */
    ServiceDiscovery(String service, int port, WorkerPool pool, Duration period) {
        Runnable refresh = () -> {
            try {
                pool.update(resolve(service, port));
            } catch (UnknownHostException e) {
                // No ready pod at all resolves as an unknown name: the pool is empty until one appears.
                pool.update(List.of());
                LOG.log(System.Logger.Level.WARNING, "no worker behind " + service + ": " + e.getMessage());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot resolve " + service + ": " + e.getMessage());
            }
        };
        refresh.run();
        timer.scheduleWithFixedDelay(refresh, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Every address of {@code service}, as worker base URLs. */
    static List<URI> resolve(String service, int port) throws UnknownHostException {
        int colon = service.lastIndexOf(':');
        String host = colon < 0 ? service : service.substring(0, colon);
        int p = colon < 0 ? port : Integer.parseInt(service.substring(colon + 1));
        List<URI> out = new ArrayList<>();
        for (InetAddress a : InetAddress.getAllByName(host)) {
            String literal = a.getHostAddress();
            out.add(URI.create("http://" + (literal.contains(":") ? "[" + literal + "]" : literal) + ":" + p));
        }
        return out;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
