package dev.faces.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a rendered object against the API model of the release deploy/ targets: Strimzi 1.2's own classes
 * (io.strimzi:api) for the Strimzi kinds, fabric8's Kubernetes model for the core kinds, and a strict list of
 * fields for the Prometheus Operator's PodMonitor, which no artifact models. Both models keep fields they do not
 * know in {@code additionalProperties} instead of failing, so every such map must come out empty.
 */
public final class ModelSchemas {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);

    /** apiVersion + kind, as served by Kubernetes 1.30+ and Strimzi 1.2, to the class that models it. */
    private static final Map<String, String> MODELS = Map.ofEntries(
            Map.entry("v1/Namespace", "io.fabric8.kubernetes.api.model.Namespace"),
            Map.entry("v1/ConfigMap", "io.fabric8.kubernetes.api.model.ConfigMap"),
            Map.entry("v1/Secret", "io.fabric8.kubernetes.api.model.Secret"),
            Map.entry("v1/Service", "io.fabric8.kubernetes.api.model.Service"),
            Map.entry("v1/ServiceAccount", "io.fabric8.kubernetes.api.model.ServiceAccount"),
            Map.entry("v1/PersistentVolumeClaim", "io.fabric8.kubernetes.api.model.PersistentVolumeClaim"),
            Map.entry("apps/v1/Deployment", "io.fabric8.kubernetes.api.model.apps.Deployment"),
            Map.entry("apps/v1/StatefulSet", "io.fabric8.kubernetes.api.model.apps.StatefulSet"),
            Map.entry("batch/v1/Job", "io.fabric8.kubernetes.api.model.batch.v1.Job"),
            Map.entry("batch/v1/CronJob", "io.fabric8.kubernetes.api.model.batch.v1.CronJob"),
            Map.entry("policy/v1/PodDisruptionBudget", "io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget"),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler",
                    "io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler"),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", "io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy"),
            Map.entry("networking.k8s.io/v1/Ingress", "io.fabric8.kubernetes.api.model.networking.v1.Ingress"));

    /** Strimzi kinds: the class also says which API versions Strimzi 1.2 serves (its VERSIONS constant). */
    private static final Map<String, String> STRIMZI = Map.of(
            "Kafka", "io.strimzi.api.kafka.model.kafka.Kafka",
            "KafkaNodePool", "io.strimzi.api.kafka.model.nodepool.KafkaNodePool",
            "KafkaTopic", "io.strimzi.api.kafka.model.topic.KafkaTopic",
            "KafkaUser", "io.strimzi.api.kafka.model.user.KafkaUser");

    private ModelSchemas() {
    }

    /** What is wrong with the object; empty when it is valid for the targeted releases. */
    public static List<String> validate(JsonNode object) {
        String apiVersion = object.path("apiVersion").asText();
        String kind = object.path("kind").asText();
        String id = Manifests.id(object);
        List<String> problems = new ArrayList<>();
        if (kind.equals("PodMonitor")) {
            return PodMonitorSchema.validate(object);
        }
        String className;
        if (STRIMZI.containsKey(kind) && apiVersion.startsWith("kafka.strimzi.io/")) {
            className = STRIMZI.get(kind);
            List<String> served = strimziVersions(className);
            String version = apiVersion.substring("kafka.strimzi.io/".length());
            if (!served.contains(version)) {
                return List.of(id + ": apiVersion " + apiVersion + " is not served by Strimzi 1.2 (it serves "
                        + served + ")");
            }
        } else {
            className = MODELS.get(apiVersion + "/" + kind);
            if (className == null) {
                return List.of(id + ": " + apiVersion + " " + kind + " is not a kind the targeted releases serve"
                        + " (known: " + new java.util.TreeSet<>(MODELS.keySet()) + ", Strimzi " + STRIMZI.keySet()
                        + ", monitoring.coreos.com/v1 PodMonitor)");
            }
        }
        Object model;
        try {
            model = JSON.treeToValue(object, Class.forName(className));
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("model class missing from the classpath: " + className, e);
        } catch (Exception e) {
            return List.of(id + ": does not fit the " + kind + " model: " + firstLine(e.getMessage()));
        }
        unknownFields(model, kind, problems, new IdentityHashMap<>());
        problems.replaceAll(p -> id + ": unknown field " + p);
        requiredFields(model, kind, problems, id);
        return problems;
    }

    @SuppressWarnings("unchecked")
    private static List<String> strimziVersions(String className) {
        try {
            Field f = Class.forName(className).getField("VERSIONS");
            return (List<String>) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Strimzi model without VERSIONS: " + className, e);
        }
    }

    /** Walks the model and reports every non-empty additionalProperties map, with its path. */
    private static void unknownFields(Object node, String path, List<String> problems, Map<Object, Boolean> seen) {
        if (node == null || seen.put(node, Boolean.TRUE) != null) {
            return;
        }
        if (node instanceof Collection<?> c) {
            int i = 0;
            for (Object item : c) {
                unknownFields(item, path + "[" + i++ + "]", problems, seen);
            }
            return;
        }
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(v, path + "." + k, problems, seen));
            return;
        }
        String pkg = node.getClass().getPackageName();
        if (!pkg.startsWith("io.fabric8.") && !pkg.startsWith("io.strimzi.")) {
            return;
        }
        for (Property p : properties(node)) {
            Method m = p.getter();
            Object value = p.value();
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(k -> problems.add(path + "." + k));
                }
            } else if (value != null && !(value instanceof String) && !(value instanceof Number)
                    && !(value instanceof Boolean) && !(value instanceof Enum<?>)) {
                String name = m.getName().substring(3);
                unknownFields(value, path + "." + Character.toLowerCase(name.charAt(0)) + name.substring(1), problems,
                        seen);
            }
        }
    }

    /** Strimzi marks the fields its CRDs require ({@code @RequiredInVersions}); each must be set. */
    private static void requiredFields(Object model, String path, List<String> problems, String id) {
        requiredFields(model, path, problems, id, new IdentityHashMap<>());
    }

    private static void requiredFields(Object node, String path, List<String> problems, String id,
                                       Map<Object, Boolean> seen) {
        if (node == null || seen.put(node, Boolean.TRUE) != null || !node.getClass().getPackageName()
                .startsWith("io.strimzi.")) {
            if (node instanceof Collection<?> c && !seen.containsKey(c)) {
                c.forEach(item -> requiredFields(item, path, problems, id, seen));
            }
            return;
        }
        for (Property p : properties(node)) {
            Method m = p.getter();
            Object value = p.value();
            if (m.getName().equals("getStatus")) {
                continue;
            }
            String name = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            if (value == null && isRequired(m)) {
                problems.add(id + ": required field " + path + "." + name + " is missing");
            }
            if (value instanceof Collection<?> c) {
                c.forEach(item -> requiredFields(item, path + "." + name, problems, id, seen));
            } else if (value != null) {
                requiredFields(value, path + "." + name, problems, id, seen);
            }
        }
    }

    /** A bean property of a model object: its getter and the value it returned. */
    private record Property(Method getter, Object value) {
    }

    private static List<Property> properties(Object node) {
        List<Property> properties = new ArrayList<>();
        for (Method m : node.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            try {
                properties.add(new Property(m, m.invoke(node)));
            } catch (ReflectiveOperationException | RuntimeException e) {
                // a getter that computes and fails is not a field
            }
        }
        return properties;
    }

    private static boolean isRequired(Method getter) {
        for (Annotation a : getter.getAnnotations()) {
            if (a.annotationType().getSimpleName().equals("RequiredInVersions")) {
                return true;
            }
            if (a instanceof com.fasterxml.jackson.annotation.JsonProperty p && p.required()) {
                return true;
            }
        }
        return false;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
