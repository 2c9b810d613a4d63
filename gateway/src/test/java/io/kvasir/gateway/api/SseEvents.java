package io.kvasir.gateway.api;

import java.util.ArrayList;
import java.util.List;

/** Splits a server-sent-event body into its {@code data:} payloads. */
final class SseEvents {

    private SseEvents() {}

    static List<String> data(String body) {
        List<String> out = new ArrayList<>();
        for (String event : body.split("\n\n")) {
            for (String line : event.split("\n")) {
                if (line.startsWith("data:")) {
                    out.add(line.substring(5).trim());
                }
            }
        }
        return out;
    }
}
