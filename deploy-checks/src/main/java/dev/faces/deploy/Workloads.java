package dev.faces.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The pod templates of a render: Deployments, StatefulSets, Jobs and CronJobs, with their containers. */
record Workloads(List<Pod> pods) {
    static final Set<String> KINDS = Set.of("Deployment", "StatefulSet", "Job", "CronJob");

    /** One pod template; {@code longRunning} for Deployments and StatefulSets, which probes must watch. */
    record Pod(JsonNode owner, JsonNode spec, boolean longRunning) {
        String id() {
            return Manifests.id(owner);
        }

        List<JsonNode> containers() {
            List<JsonNode> all = new ArrayList<>();
            spec.path("initContainers").forEach(all::add);
            spec.path("containers").forEach(all::add);
            return all;
        }
    }

    static Workloads of(List<? extends JsonNode> objects) {
        List<Pod> pods = new ArrayList<>();
        for (JsonNode o : objects) {
            String kind = o.path("kind").asText();
            if (!KINDS.contains(kind)) {
                continue;
            }
            JsonNode template = kind.equals("CronJob")
                    ? o.path("spec").path("jobTemplate").path("spec").path("template")
                    : o.path("spec").path("template");
            pods.add(new Pod(o, template.path("spec"), kind.equals("Deployment") || kind.equals("StatefulSet")));
        }
        return new Workloads(pods);
    }

    Pod require(String kind, String name) {
        return pods.stream().filter(p -> p.owner().path("kind").asText().equals(kind)
                        && p.owner().path("metadata").path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + kind + "/" + name + " in the render"));
    }
}
