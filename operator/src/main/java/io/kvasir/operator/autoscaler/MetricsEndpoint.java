package io.kvasir.operator.autoscaler;

import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** Fetches a pod's {@code /q/metrics} straight from its IP; a pod that does not answer in time is skipped. */
final class MetricsEndpoint {
    static final int PORT = 8080;
    static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    Optional<String> fetch(Pod pod) {
        String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
        if (ip == null) {
            return Optional.empty();
        }
        String host = ip.contains(":") ? "[" + ip + "]" : ip;
        var request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + PORT + "/q/metrics"))
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
}
