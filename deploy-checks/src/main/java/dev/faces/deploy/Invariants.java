package dev.faces.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faces.core.Topics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What must hold of every render of deploy/, beyond its schema: probes, a restricted securityContext, resources
 * and pinned images named without a registry on every container; environment variables that the applications
 * read; the topics and buckets of the code; grace periods that cover the services' shutdowns; no literal Secret
 * outside the dev overlay.
 */
public final class Invariants {
    /** The pipeline's own services: container name = module, each with its application.properties. */
    static final Set<String> SERVICES = Set.of("ingest-service", "trainer-service", "generator-service");

    /**
     * Variables that a container's image or libraries read, not its application.properties, per container
     * name: the JVM images' entrypoint (JAVA_OPTS), libtorch and DJL, MinIO.
     */
    private static final Map<String, Set<String>> RUNTIME_ENV = Map.of(
            "ingest-service", Set.of("JAVA_OPTS"),
            "trainer-service", Set.of("JAVA_OPTS", "OMP_NUM_THREADS", "DJL_CACHE_DIR"),
            "generator-service", Set.of("JAVA_OPTS"),
            "minio", Set.of("MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "HOME"),
            "kafka-client", Set.of("LOG_DIR", "KAFKA_HEAP_OPTS"));

    private final Path repoRoot;
    private final Map<String, AppSettings> settings = new HashMap<>();

    public Invariants(Path repoRoot) {
        this.repoRoot = repoRoot;
        SERVICES.forEach(s -> settings.put(s, AppSettings.of(repoRoot, s)));
    }

    /** Every problem of the render; {@code dev} allows literal Secrets (the documented dev credentials). */
    public List<String> check(List<? extends JsonNode> objects, boolean dev) {
        List<String> problems = new ArrayList<>();
        Workloads workloads = Workloads.of(objects);
        Map<String, Map<String, String>> configMaps = configMaps(objects);
        for (Workloads.Pod pod : workloads.pods()) {
            pod(pod, configMaps, problems);
        }
        secrets(objects, dev, problems);
        if (objects.stream().anyMatch(o -> o.path("kind").asText().equals("KafkaTopic"))) {
            topics(objects, problems);
        }
        if (configMaps.containsKey("faces-config")) {
            buckets(configMaps, workloads, problems);
            graceCoversShutdown(workloads, problems);
            networkPolicies(objects, problems);
        }
        return problems;
    }

    private void pod(Workloads.Pod pod, Map<String, Map<String, String>> configMaps, List<String> problems) {
        String id = pod.id();
        JsonNode spec = pod.spec();
        JsonNode podSecurity = spec.path("securityContext");
        if (!spec.path("automountServiceAccountToken").isBoolean() || spec.path("automountServiceAccountToken").asBoolean()) {
            problems.add(id + ": automountServiceAccountToken must be false (no service needs the Kubernetes API)");
        }
        if (spec.path("serviceAccountName").asText().isEmpty()) {
            problems.add(id + ": needs a serviceAccountName of its own, not the namespace's default");
        }
        for (JsonNode c : pod.containers()) {
            String where = id + " container " + c.path("name").asText();
            restricted(c.path("securityContext"), podSecurity, where, problems);
            resources(c.path("resources"), where, problems);
            image(c.path("image").asText(), where, problems);
            String name = c.path("name").asText();
            if (SERVICES.contains(name)) {
                serviceProbes(c, where, problems);
            } else if (pod.longRunning() && (c.path("readinessProbe").isMissingNode()
                    || c.path("livenessProbe").isMissingNode())) {
                problems.add(where + ": a long-running container needs readiness and liveness probes");
            }
            environment(c, name, configMaps, where, problems);
        }
    }

    private static void restricted(JsonNode sc, JsonNode pod, String where, List<String> problems) {
        if (!sc.path("allowPrivilegeEscalation").isBoolean() || sc.path("allowPrivilegeEscalation").asBoolean()) {
            problems.add(where + ": securityContext.allowPrivilegeEscalation must be false");
        }
        if (!sc.path("readOnlyRootFilesystem").asBoolean(false)) {
            problems.add(where + ": securityContext.readOnlyRootFilesystem must be true (emptyDirs where it writes)");
        }
        if (!sc.path("runAsNonRoot").asBoolean(pod.path("runAsNonRoot").asBoolean(false))) {
            problems.add(where + ": runAsNonRoot must be true");
        }
        boolean dropsAll = false;
        for (JsonNode cap : sc.path("capabilities").path("drop")) {
            dropsAll |= cap.asText().equals("ALL");
        }
        if (!dropsAll || !sc.path("capabilities").path("add").isEmpty()) {
            problems.add(where + ": capabilities must drop ALL and add none");
        }
        String seccomp = sc.path("seccompProfile").path("type").asText(pod.path("seccompProfile").path("type").asText());
        if (!seccomp.equals("RuntimeDefault") && !seccomp.equals("Localhost")) {
            problems.add(where + ": seccompProfile must be RuntimeDefault");
        }
    }

    private static void resources(JsonNode r, String where, List<String> problems) {
        if (r.path("requests").path("cpu").isMissingNode() || r.path("requests").path("memory").isMissingNode()) {
            problems.add(where + ": needs cpu and memory requests");
        }
        if (r.path("limits").path("memory").isMissingNode()) {
            problems.add(where + ": needs a memory limit");
        }
    }

    private static final Pattern PINNED = Pattern.compile("^[^@:]+(:[^@/:]+)?(@sha256:[0-9a-f]{64})?$");

    private static void image(String image, String where, List<String> problems) {
        Matcher m = PINNED.matcher(image.replaceFirst("^[^/]+:\\d+/", "registry/"));
        boolean tag = m.matches() && m.group(1) != null && !m.group(1).equals(":latest");
        boolean digest = m.matches() && m.group(2) != null;
        if (!tag && !digest) {
            problems.add(where + ": image " + image + " must be pinned by a tag other than latest, or a digest");
        }
        registryHost(image).ifPresent(host -> problems.add(where + ": image " + image + " names the registry " + host
                + "; name the repository only, and resolve it with the cluster's mirrors or an overlay's images:"));
    }

    /** The registry an image name starts with (a first part with a dot or a port, or localhost), if any. */
    static Optional<String> registryHost(String image) {
        int slash = image.indexOf('/');
        String first = slash < 0 ? "" : image.substring(0, slash);
        return first.contains(".") || first.contains(":") || first.equals("localhost")
                ? Optional.of(first) : Optional.empty();
    }

    private static void serviceProbes(JsonNode c, String where, List<String> problems) {
        Map<String, String> expected = Map.of("startupProbe", "/q/health/started", "readinessProbe",
                "/q/health/ready", "livenessProbe", "/q/health/live");
        Set<String> ports = new TreeSet<>();
        for (JsonNode p : c.path("ports")) {
            ports.add(p.path("name").asText());
            ports.add(p.path("containerPort").asText());
        }
        expected.forEach((probe, path) -> {
            JsonNode get = c.path(probe).path("httpGet");
            if (!get.path("path").asText().equals(path) || !ports.contains(get.path("port").asText())) {
                problems.add(where + ": " + probe + " must GET " + path + " on the container's own port");
            }
        });
    }

    private void environment(JsonNode c, String name, Map<String, Map<String, String>> configMaps, String where,
                             List<String> problems) {
        Set<String> names = new TreeSet<>();
        c.path("env").forEach(e -> names.add(e.path("name").asText()));
        for (JsonNode from : c.path("envFrom")) {
            String cm = from.path("configMapRef").path("name").asText();
            names.addAll(configMaps.getOrDefault(baseName(cm), Map.of()).keySet());
        }
        AppSettings app = settings.get(name);
        Set<String> runtime = RUNTIME_ENV.getOrDefault(name, Set.of());
        Set<String> script = scriptVariables(c, configMaps);
        for (String env : names) {
            boolean read = runtime.contains(env) || script.contains(env) || (app != null && app.reads(env));
            if (!read) {
                problems.add(where + ": sets " + env + ", which " + name + " does not read");
            }
        }
    }

    /** Variables named in the shell scripts a container runs from a mounted ConfigMap (the MinIO setup). */
    private static Set<String> scriptVariables(JsonNode c, Map<String, Map<String, String>> configMaps) {
        Set<String> vars = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{?([A-Z][A-Z0-9_]*)").matcher("");
        List<String> sources = new ArrayList<>();
        c.path("args").forEach(a -> sources.add(a.asText()));
        c.path("command").forEach(a -> sources.add(a.asText()));
        configMaps.values().forEach(cm -> cm.forEach((k, v) -> {
            if (k.endsWith(".sh")) {
                sources.add(v);
            }
        }));
        for (String s : sources) {
            m.reset(s);
            while (m.find()) {
                vars.add(m.group(1));
            }
        }
        return vars;
    }

    private static void secrets(List<? extends JsonNode> objects, boolean dev, List<String> problems) {
        if (dev) {
            return;
        }
        for (JsonNode o : objects) {
            if (o.path("kind").asText().equals("Secret")
                    && (!o.path("data").isEmpty() || !o.path("stringData").isEmpty())) {
                problems.add(Manifests.id(o) + ": a Secret with a literal value outside the dev overlay");
            }
        }
    }

    private static void topics(List<? extends JsonNode> objects, List<String> problems) {
        Map<String, JsonNode> rendered = new HashMap<>();
        for (JsonNode o : objects) {
            if (o.path("kind").asText().equals("KafkaTopic")) {
                String name = o.path("spec").path("topicName").asText(o.path("metadata").path("name").asText());
                rendered.put(name, o);
            }
        }
        if (!new TreeSet<>(rendered.keySet()).equals(new TreeSet<>(Topics.all()))) {
            problems.add("KafkaTopics " + new TreeSet<>(rendered.keySet()) + " differ from Topics.all() "
                    + new TreeSet<>(Topics.all()));
        }
        rendered.forEach((name, o) -> {
            if (!Topics.all().contains(name)) {
                return;
            }
            if (o.path("spec").path("partitions").asInt() != Topics.partitions(name)) {
                problems.add("KafkaTopic " + name + ": partitions " + o.path("spec").path("partitions").asInt()
                        + ", Topics.partitions says " + Topics.partitions(name));
            }
            boolean compacted = o.path("spec").path("config").path("cleanup.policy").asText().contains("compact");
            if (compacted != Topics.isCompacted(name)) {
                problems.add("KafkaTopic " + name + ": compaction " + compacted + ", Topics says "
                        + Topics.isCompacted(name));
            }
        });
    }

    private void buckets(Map<String, Map<String, String>> configMaps, Workloads workloads, List<String> problems) {
        Map<String, String> config = configMaps.get("faces-config");
        for (String key : List.of("DATASETS_BUCKET", "CHECKPOINTS_BUCKET")) {
            String property = key.equals("DATASETS_BUCKET") ? "faces.buckets.datasets" : "faces.buckets.checkpoints";
            for (AppSettings app : settings.values()) {
                if (!config.getOrDefault(key, "").equals(app.defaultOf(property))) {
                    problems.add("faces-config " + key + "=" + config.get(key) + " but " + app.service()
                            + " defaults " + property + " to " + app.defaultOf(property));
                }
            }
            for (Workloads.Pod pod : workloads.pods()) {
                for (JsonNode c : pod.containers()) {
                    for (JsonNode e : c.path("env")) {
                        if (e.path("name").asText().equals(key) && !e.path("value").asText().equals(config.get(key))) {
                            problems.add(pod.id() + ": " + key + "=" + e.path("value").asText() + " but faces-config"
                                    + " says " + config.get(key));
                        }
                    }
                }
            }
        }
        Set<String> buckets = Set.of(config.getOrDefault("DATASETS_BUCKET", ""), config.getOrDefault("CHECKPOINTS_BUCKET", ""));
        Matcher arn = Pattern.compile("arn:aws:s3:::([a-z0-9.-]+)").matcher("");
        configMaps.getOrDefault("minio-setup", Map.of()).forEach((file, text) -> {
            if (file.endsWith(".json")) {
                arn.reset(text);
                while (arn.find()) {
                    if (!buckets.contains(arn.group(1))) {
                        problems.add("minio-setup " + file + " grants on bucket " + arn.group(1)
                                + ", which is not one of the services' buckets " + buckets);
                    }
                }
            }
        });
    }

    private void graceCoversShutdown(Workloads workloads, List<String> problems) {
        AppSettings trainer = settings.get("trainer-service");
        Workloads.Pod t = workloads.require("StatefulSet", "trainer-service");
        long release = envSeconds(t, "TRAINER_RELEASE_TIMEOUT_SECONDS",
                trainer.seconds("faces.trainer.release-timeout-seconds"));
        long shutdown = trainer.seconds("quarkus.shutdown.timeout");
        long grace = t.spec().path("terminationGracePeriodSeconds").asLong(30);
        if (grace < Math.max(release, shutdown) + 20) {
            problems.add(t.id() + ": terminationGracePeriodSeconds " + grace + " does not cover the release timeout ("
                    + release + " s) and shutdown timeout (" + shutdown + " s) with 20 s to spare");
        }
        AppSettings generator = settings.get("generator-service");
        Workloads.Pod g = workloads.require("Deployment", "generator-service");
        long delay = envSeconds(g, "SHUTDOWN_DELAY", generator.seconds("quarkus.shutdown.delay"));
        long timeout = envSeconds(g, "SHUTDOWN_TIMEOUT", generator.seconds("quarkus.shutdown.timeout"));
        long gGrace = g.spec().path("terminationGracePeriodSeconds").asLong(30);
        if (gGrace < delay + timeout + 5) {
            problems.add(g.id() + ": terminationGracePeriodSeconds " + gGrace + " does not cover the shutdown delay ("
                    + delay + " s) and timeout (" + timeout + " s) with 5 s to spare");
        }
    }

    private static long envSeconds(Workloads.Pod pod, String name, long fallback) {
        for (JsonNode c : pod.containers()) {
            for (JsonNode e : c.path("env")) {
                if (e.path("name").asText().equals(name) && e.has("value")) {
                    return AppSettings.parseSeconds(e.path("value").asText());
                }
            }
        }
        return fallback;
    }

    private static void networkPolicies(List<? extends JsonNode> objects, List<String> problems) {
        boolean defaultDeny = objects.stream().anyMatch(o -> o.path("kind").asText().equals("NetworkPolicy")
                && o.path("spec").path("podSelector").isEmpty()
                && o.path("spec").path("ingress").isMissingNode() && o.path("spec").path("egress").isMissingNode()
                && o.path("spec").path("policyTypes").toString().contains("Ingress")
                && o.path("spec").path("policyTypes").toString().contains("Egress"));
        if (!defaultDeny) {
            problems.add("no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)");
        }
    }

    /** ConfigMaps by their name before kustomize's hash suffix. */
    private static Map<String, Map<String, String>> configMaps(List<? extends JsonNode> objects) {
        Map<String, Map<String, String>> maps = new HashMap<>();
        for (JsonNode o : objects) {
            if (o.path("kind").asText().equals("ConfigMap")) {
                Map<String, String> data = new HashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = o.path("data").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    data.put(e.getKey(), e.getValue().asText());
                }
                maps.put(baseName(o.path("metadata").path("name").asText()), data);
            }
        }
        return maps;
    }

    /** {@code faces-config-8t2g5hk9bd} to {@code faces-config}. */
    static String baseName(String name) {
        return name.replaceFirst("-[a-z0-9]{10}$", "");
    }

    Path repoRoot() {
        return repoRoot;
    }
}
