package dev.faces.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pipeline's three workloads of a rendered overlay ({@code kubectl kustomize deploy/k8s/overlays/dev}), made
 * into what {@code podman kube play} (4.3) runs on one machine next to a local Kafka broker and S3 server.
 * The pod specs stay as rendered: image, command and args, env and envFrom, volumes and mounts, the
 * securityContext, resources and probes. Only what a cluster provides and this machine lacks is mapped:
 * <ul>
 *   <li>the ConfigMap's Kafka and S3 endpoints name the local servers instead of in-cluster Services, and the
 *       protocol is the local broker's plain listener (it has no SCRAM users);</li>
 *   <li>the S3 Secrets carry the local S3 server's one identity (in a cluster, MinIO's setup Job makes one user
 *       per service); the Kafka user Secrets, which Strimzi's user operator writes in a cluster, are made here;</li>
 *   <li>a StatefulSet, which kube play 4.3 ignores, becomes a Deployment of the same pod template, and its volume
 *       claim templates emptyDirs;</li>
 *   <li>on host networking, containerPort declarations are dropped (kube play 4.3 refuses them there), and
 *       probes name their port by number;</li>
 *   <li>Secrets go to podman's secret store, where kube play 4.3 looks up a secretKeyRef (as JSON of the data).</li>
 * </ul>
 */
public final class ManifestPods {
    public static final List<String> SERVICES = List.of("ingest-service", "trainer-service", "generator-service");
    private static final YAMLMapper YAML = new YAMLMapper();

    /** Where the local servers are, and the S3 identity every service uses there. */
    public record Local(String kafkaBootstrap, String s3Endpoint, String s3AccessKey, String s3SecretKey) {
    }

    /** A container's probe: {@code http://localhost:port/path} on host networking. */
    public record Probe(String container, int port, String path) {
        public String url() {
            return "http://localhost:" + port + path;
        }
    }

    private final Map<String, ObjectNode> workloads = new LinkedHashMap<>();
    private final Map<String, ObjectNode> configMaps = new LinkedHashMap<>();
    private final Map<String, ObjectNode> secrets = new LinkedHashMap<>();

    private ManifestPods() {
    }

    public static ManifestPods of(String renderedYaml) {
        ManifestPods pods = new ManifestPods();
        try (var parser = new YAMLFactory().createParser(renderedYaml)) {
            for (JsonNode doc : YAML.readValues(parser, JsonNode.class).readAll()) {
                if (!(doc instanceof ObjectNode o)) {
                    continue;
                }
                String kind = o.path("kind").asText();
                String name = o.path("metadata").path("name").asText();
                switch (kind) {
                    case "Deployment", "StatefulSet" -> {
                        if (SERVICES.contains(name)) {
                            pods.workloads.put(name, o);
                        }
                    }
                    case "ConfigMap" -> pods.configMaps.put(name, o);
                    case "Secret" -> pods.secrets.put(name, o);
                    default -> { }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the rendered manifests are not YAML: " + e.getMessage(), e);
        }
        if (!pods.workloads.keySet().containsAll(SERVICES)) {
            throw new IllegalArgumentException("the rendered manifests lack a workload of " + SERVICES
                    + "; found " + pods.workloads.keySet());
        }
        return pods;
    }

    /** The podman container of a workload's container: kube play names it {@code <workload>-pod-0-<container>}. */
    public static String containerName(String workload, String container) {
        return workload + "-pod-0-" + container;
    }

    /** The images of the workloads' containers. */
    public List<String> images() {
        List<String> images = new ArrayList<>();
        workloads.values().forEach(w -> containers(w).forEach(c -> images.add(c.path("image").asText())));
        return images;
    }

    /** The pod spec of a workload, as rendered. */
    public JsonNode podSpec(String workload) {
        return workloads.get(workload).path("spec").path("template").path("spec");
    }

    /** The YAML that kube play runs: the workloads' ConfigMaps (endpoints mapped) and the three Deployments. */
    public String playYaml(Local local) {
        StringBuilder out = new StringBuilder();
        for (String name : referencedConfigMaps()) {
            ObjectNode cm = configMaps.get(name);
            if (cm == null) {
                throw new IllegalArgumentException("ConfigMap " + name + " is referenced but not rendered");
            }
            cm = cm.deepCopy();
            ObjectNode data = (ObjectNode) cm.path("data");
            if (data.has("KAFKA_BOOTSTRAP_SERVERS")) {
                data.put("KAFKA_BOOTSTRAP_SERVERS", local.kafkaBootstrap());
                data.put("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT");
            }
            if (data.has("S3_ENDPOINT")) {
                data.put("S3_ENDPOINT", local.s3Endpoint());
            }
            out.append(write(cm));
        }
        for (ObjectNode w : workloads.values()) {
            out.append(write(onHostNetwork(asDeployment(w))));
        }
        return out.toString();
    }

    /** Every Secret the workloads refer to, as podman secrets: name to the JSON of its (base64) data. */
    public Map<String, String> podmanSecrets(Local local) {
        Map<String, ObjectNode> data = new LinkedHashMap<>();
        for (ObjectNode w : workloads.values()) {
            for (JsonNode c : containers(w)) {
                for (JsonNode env : c.path("env")) {
                    JsonNode ref = env.path("valueFrom").path("secretKeyRef");
                    if (ref.isMissingNode()) {
                        continue;
                    }
                    String name = ref.path("name").asText();
                    String key = ref.path("key").asText();
                    ObjectNode d = data.computeIfAbsent(name, n -> secrets.containsKey(n)
                            ? ((ObjectNode) secrets.get(n).path("data")).deepCopy() : JsonNodeFactory.instance.objectNode());
                    switch (env.path("name").asText()) {
                        case "S3_ACCESS_KEY" -> d.put(key, base64(local.s3AccessKey()));
                        case "S3_SECRET_KEY" -> d.put(key, base64(local.s3SecretKey()));
                        case "KAFKA_SASL_JAAS_CONFIG" -> d.put(key, base64(
                                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + name
                                        + "\" password=\"unused-on-the-plain-listener\";"));
                        default -> {
                            if (!d.has(key)) {
                                throw new IllegalArgumentException("Secret " + name + " has no key " + key
                                        + " that " + env.path("name").asText() + " refers to");
                            }
                        }
                    }
                }
            }
        }
        Map<String, String> json = new LinkedHashMap<>();
        data.forEach((name, d) -> json.put(name, d.toString()));
        return json;
    }

    /** The readiness probe of every container, its named port resolved. */
    public List<Probe> readiness() {
        return probes("readinessProbe");
    }

    /** The startup probe of every container (its readiness probe if it has none). */
    public List<Probe> started() {
        return probes("startupProbe");
    }

    private List<Probe> probes(String kind) {
        List<Probe> probes = new ArrayList<>();
        workloads.forEach((workload, w) -> {
            for (JsonNode c : containers(w)) {
                JsonNode get = c.path(kind).path("httpGet");
                if (get.isMissingNode()) {
                    get = c.path("readinessProbe").path("httpGet");
                }
                if (get.isMissingNode()) {
                    continue;
                }
                probes.add(new Probe(containerName(workload, c.path("name").asText()), port(c, get.path("port")),
                        get.path("path").asText("/")));
            }
        });
        return probes;
    }

    private static int port(JsonNode container, JsonNode port) {
        if (port.isInt()) {
            return port.asInt();
        }
        for (JsonNode p : container.path("ports")) {
            if (p.path("name").asText().equals(port.asText())) {
                return p.path("containerPort").asInt();
            }
        }
        throw new IllegalArgumentException("container " + container.path("name").asText() + " has no port " + port);
    }

    private List<String> referencedConfigMaps() {
        List<String> names = new ArrayList<>();
        for (ObjectNode w : workloads.values()) {
            for (JsonNode c : containers(w)) {
                for (JsonNode from : c.path("envFrom")) {
                    String name = from.path("configMapRef").path("name").asText();
                    if (!name.isEmpty() && !names.contains(name)) {
                        names.add(name);
                    }
                }
            }
        }
        return names;
    }

    private static JsonNode containers(ObjectNode workload) {
        return workload.path("spec").path("template").path("spec").path("containers");
    }

    /**
     * On host networking a container's ports are the host's, and kube play 4.3 refuses any containerPort there
     * ("PortMappings can only be used with Bridge"): the declarations go, and probes name their port by number.
     */
    private static ObjectNode onHostNetwork(ObjectNode deployment) {
        for (JsonNode c : containers(deployment)) {
            for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
                JsonNode get = c.path(probe).path("httpGet");
                if (get instanceof ObjectNode o && !o.path("port").isInt()) {
                    o.put("port", port(c, o.path("port")));
                }
            }
            ((ObjectNode) c).remove("ports");
        }
        return deployment;
    }

    private static ObjectNode asDeployment(ObjectNode workload) {
        ObjectNode d = workload.deepCopy();
        if (!"StatefulSet".equals(d.path("kind").asText())) {
            return d;
        }
        d.put("kind", "Deployment");
        ObjectNode spec = (ObjectNode) d.path("spec");
        ArrayNode volumes = ((ObjectNode) spec.path("template").path("spec")).withArray("volumes");
        for (JsonNode claim : spec.path("volumeClaimTemplates")) {
            volumes.addObject().put("name", claim.path("metadata").path("name").asText()).putObject("emptyDir");
        }
        for (String statefulOnly : List.of("volumeClaimTemplates", "serviceName", "podManagementPolicy",
                "updateStrategy", "persistentVolumeClaimRetentionPolicy")) {
            spec.remove(statefulOnly);
        }
        return d;
    }

    private static String write(JsonNode doc) {
        try {
            return YAML.writeValueAsString(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
