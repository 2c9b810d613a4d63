package io.kvasir.operator.chart;

import java.util.Arrays;
import java.util.List;

/** An HTTP request to the Kubernetes API, read as the RBAC permission it needs: {@code group/resource:verb}. */
final class ApiCall {
    private ApiCall() {
    }

    static String permission(String method, String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        String query = q < 0 ? "" : pathAndQuery.substring(q + 1);
        List<String> parts = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
        String group;
        List<String> rest;
        if (parts.getFirst().equals("api")) {
            group = "";
            rest = parts.subList(2, parts.size());
        } else {
            group = parts.get(1);
            rest = parts.subList(3, parts.size());
        }
        if (rest.size() >= 2 && rest.getFirst().equals("namespaces")) {
            rest = rest.subList(2, rest.size());
        }
        String resource = rest.getFirst();
        boolean named = rest.size() >= 2;
        if (rest.size() >= 3) {
            resource = resource + "/" + rest.get(2);
        }
        String verb = switch (method) {
            case "GET" -> named ? "get" : query.contains("watch=true") ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> throw new IllegalArgumentException("unexpected method " + method);
        };
        return group + "/" + resource + ":" + verb;
    }
}
