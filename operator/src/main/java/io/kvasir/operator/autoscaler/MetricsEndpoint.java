package io.kvasir.operator.autoscaler;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Fetches a pod's {@code /q/metrics} straight from its IP, on the container port named {@code http} (8080 when
 * there is none). A pod that does not answer in time is skipped rather than holding up the autoscaler.
 */
final class MetricsEndpoint {
    static final int DEFAULT_PORT = 8080;
    static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    Optional<String> fetch(Pod pod) {
        String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
        if (ip == null) {
            return Optional.empty();
        }
        String host = ip.contains(":") ? "[" + ip + "]" : ip;
        var request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port(pod) + "/q/metrics"))
                .timeout(TIMEOUT).GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static int port(Pod pod) {
        if (pod.getSpec() == null) {
            return DEFAULT_PORT;
        }
        return pod.getSpec().getContainers().stream()
                .map(Container::getPorts).filter(Objects::nonNull).flatMap(List::stream)
                .filter(p -> "http".equals(p.getName()))
                .map(ContainerPort::getContainerPort).findFirst().orElse(DEFAULT_PORT);
    }
}
