package dev.faces.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every overlay renders, every object fits the targeted releases' models, and every invariant holds. */
class OverlaysTest {
    private static final Invariants INVARIANTS = new Invariants(Repo.ROOT);

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/prod", "overlays/gpu", "base", "namespace"})
    void rendersValidObjectsThatKeepTheInvariants(String kustomization) {
        List<ObjectNode> objects = Manifests.render(Repo.K8S.resolve(kustomization));
        assertThat(objects).isNotEmpty();
        List<String> problems = new ArrayList<>();
        objects.forEach(o -> problems.addAll(ModelSchemas.validate(o)));
        problems.addAll(INVARIANTS.check(objects, kustomization.equals("overlays/dev")));
        assertThat(problems).as(kustomization).isEmpty();
    }

    @Test
    void theNamespaceEnforcesThePodSecurityRestrictedProfile() {
        JsonNode ns = Manifests.render(Repo.K8S.resolve("namespace")).get(0);
        assertThat(ns.path("metadata").path("labels").path("pod-security.kubernetes.io/enforce").asText())
                .isEqualTo("restricted");
    }

    @Test
    void theBaseAndTheOverlaysLeaveTheNamespaceAlone() {
        for (String overlay : List.of("overlays/dev", "overlays/prod", "overlays/gpu")) {
            assertThat(Manifests.render(Repo.K8S.resolve(overlay))).as(overlay)
                    .noneMatch(o -> o.path("kind").asText().equals("Namespace"))
                    .allMatch(o -> o.path("metadata").path("namespace").asText().equals("faces"));
        }
    }

    /** Every durable byte of the pipeline is in MinIO: production spreads it erasure-coded over 4 pods. */
    @Test
    void productionRunsADistributedErasureCodedMinio() {
        List<ObjectNode> prod = Manifests.render(Repo.K8S.resolve("overlays/prod"));
        JsonNode minio = prod.stream().filter(o -> Manifests.id(o).equals("StatefulSet/minio")).findFirst().orElseThrow();
        int replicas = minio.path("spec").path("replicas").asInt();
        assertThat(replicas).as("MinIO's erasure coding needs at least 4 drives").isGreaterThanOrEqualTo(4);
        assertThat(minio.path("spec").path("podManagementPolicy").asText()).isEqualTo("Parallel");
        String args = minio.path("spec").path("template").path("spec").path("containers").get(0).path("args").toString();
        assertThat(args).as("every pod named in the server's endpoint list")
                .contains("http://minio-{0..." + (replicas - 1) + "}.minio-headless.faces.svc.cluster.local/data");
        JsonNode headless = prod.stream().filter(o -> Manifests.id(o).equals("Service/minio-headless")).findFirst()
                .orElseThrow();
        assertThat(headless.path("spec").path("publishNotReadyAddresses").asBoolean()).isTrue();
        assertThat(prod).as("a disruption budget for MinIO").anyMatch(o -> o.path("kind").asText()
                .equals("PodDisruptionBudget") && o.path("spec").path("selector").path("matchLabels").path("app")
                .asText().equals("minio"));
        assertThat(prod).as("the MinIO pods may reach each other").anyMatch(o -> Manifests.id(o)
                .equals("NetworkPolicy/minio-peers"));
    }

    @Test
    void productionRunsAReplicatedTlsKafka() {
        List<ObjectNode> prod = Manifests.render(Repo.K8S.resolve("overlays/prod"));
        int controllers = 0;
        int brokers = 0;
        for (JsonNode o : prod) {
            if (o.path("kind").asText().equals("KafkaNodePool")) {
                String roles = o.path("spec").path("roles").toString();
                int replicas = o.path("spec").path("replicas").asInt();
                controllers += roles.contains("controller") ? replicas : 0;
                brokers += roles.contains("broker") ? replicas : 0;
            }
            if (o.path("kind").asText().equals("KafkaTopic")) {
                assertThat(o.path("spec").path("replicas").asInt()).as(Manifests.id(o)).isEqualTo(3);
            }
        }
        assertThat(controllers).isEqualTo(3);
        assertThat(brokers).isEqualTo(3);
        JsonNode kafka = prod.stream().filter(o -> o.path("kind").asText().equals("Kafka")).findFirst().orElseThrow();
        JsonNode config = kafka.path("spec").path("kafka").path("config");
        assertThat(config.path("default.replication.factor").asInt()).isEqualTo(3);
        assertThat(config.path("min.insync.replicas").asInt()).isEqualTo(2);
        Set<String> listeners = new TreeSet<>();
        kafka.path("spec").path("kafka").path("listeners").forEach(l -> {
            assertThat(l.path("tls").asBoolean()).as("listener " + l.path("name").asText() + " uses TLS").isTrue();
            assertThat(l.path("authentication").path("type").asText()).isEqualTo("scram-sha-512");
            listeners.add(l.path("name").asText());
        });
        assertThat(listeners).containsExactly("tls");
        JsonNode faces = prod.stream().filter(o -> Invariants.baseName(o.path("metadata").path("name").asText())
                .equals("faces-config")).findFirst().orElseThrow();
        assertThat(faces.path("data").path("KAFKA_SECURITY_PROTOCOL").asText()).isEqualTo("SASL_SSL");
        assertThat(faces.path("data").path("KAFKA_BOOTSTRAP_SERVERS").asText()).endsWith(":9093");
    }

    @Test
    void everyServiceHasAKafkaUserAndTheMlEngineerOnlyProducesRequestsAndReadsCheckpoints() {
        List<ObjectNode> base = Manifests.render(Repo.K8S.resolve("base"));
        Set<String> users = new TreeSet<>();
        for (JsonNode o : base) {
            if (o.path("kind").asText().equals("KafkaUser")) {
                users.add(o.path("metadata").path("name").asText());
                if (o.path("metadata").path("name").asText().equals("ml-engineer")) {
                    Set<String> grants = new TreeSet<>();
                    o.path("spec").path("authorization").path("acls").forEach(acl -> acl.path("operations")
                            .forEach(op -> grants.add(acl.path("resource").path("type").asText() + ":"
                                    + acl.path("resource").path("name").asText() + ":" + op.asText())));
                    assertThat(grants).containsExactlyInAnyOrder("topic:faces.training-requests:Write",
                            "topic:faces.training-requests:Describe", "topic:faces.checkpoints:Read",
                            "topic:faces.checkpoints:Describe", "group:ml-:Read");
                }
            }
        }
        assertThat(users).containsExactlyInAnyOrder("ingest-service", "trainer-service", "generator-service",
                "ml-engineer");
    }
}
