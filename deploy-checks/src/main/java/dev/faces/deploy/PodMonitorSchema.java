package dev.faces.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The Prometheus Operator's PodMonitor has no model on a package registry that a Java build can take, so this is
 * a strict check of the fields deploy/ uses (a subset of monitoring.coreos.com/v1): any other field fails it.
 */
final class PodMonitorSchema {
    private static final String LEAF = "leaf";
    private static final Map<String, Object> META = Map.of("name", LEAF, "namespace", LEAF, "labels", LEAF,
            "annotations", LEAF);
    private static final Map<String, Object> SELECTOR = Map.of("matchLabels", LEAF,
            "matchExpressions", List.of(Map.of("key", LEAF, "operator", LEAF, "values", LEAF)));
    private static final Map<String, Object> ROOT = Map.of("apiVersion", LEAF, "kind", LEAF, "metadata", META,
            "spec", Map.of("selector", SELECTOR, "jobLabel", LEAF,
                    "namespaceSelector", Map.of("matchNames", LEAF, "any", LEAF),
                    "podMetricsEndpoints", List.of(Map.of("port", LEAF, "path", LEAF, "interval", LEAF,
                            "scrapeTimeout", LEAF, "scheme", LEAF))));

    private PodMonitorSchema() {
    }

    static List<String> validate(JsonNode object) {
        List<String> problems = new ArrayList<>();
        String id = Manifests.id(object);
        if (!object.path("apiVersion").asText().equals("monitoring.coreos.com/v1")) {
            problems.add(id + ": apiVersion must be monitoring.coreos.com/v1");
        }
        if (object.path("spec").path("podMetricsEndpoints").isEmpty()) {
            problems.add(id + ": spec.podMetricsEndpoints is required");
        }
        check(object, ROOT, "PodMonitor", id, problems);
        return problems;
    }

    @SuppressWarnings("unchecked")
    private static void check(JsonNode node, Object schema, String path, String id, List<String> problems) {
        if (schema == LEAF) {
            return;
        }
        if (schema instanceof List<?> list) {
            if (!node.isArray()) {
                problems.add(id + ": " + path + " must be a list");
                return;
            }
            for (int i = 0; i < node.size(); i++) {
                check(node.get(i), list.get(0), path + "[" + i + "]", id, problems);
            }
            return;
        }
        Map<String, Object> fields = (Map<String, Object>) schema;
        if (!node.isObject()) {
            problems.add(id + ": " + path + " must be an object");
            return;
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!fields.containsKey(name)) {
                problems.add(id + ": unknown field " + path + "." + name);
            } else {
                check(node.get(name), fields.get(name), path + "." + name, id, problems);
            }
        }
    }
}
