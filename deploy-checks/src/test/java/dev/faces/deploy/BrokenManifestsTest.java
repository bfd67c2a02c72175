package dev.faces.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each kustomization under src/test/broken is the real base with one thing broken; the checks must report that
 * one thing, and nothing else, so that each check is shown to fail when its rule is broken.
 */
class BrokenManifestsTest {
    private static final Invariants INVARIANTS = new Invariants(Repo.ROOT);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no-probe                  | Deployment/generator-service container generator-service: readinessProbe must GET /q/health/ready",
        "v1beta2-kafka             | Kafka/faces: apiVersion kafka.strimzi.io/v1beta2 is not served by Strimzi 1.2",
        "literal-secret-in-base    | a Secret with a literal value outside the dev overlay",
        "removed-kafka-field       | Kafka/faces: unknown field Kafka.spec.kafka.replicas",
        "misspelt-pod-field        | Deployment/generator-service: unknown field Deployment.spec.template.spec.containers[0].resource",
        "unread-env                | sets GENERATOR_THREAD, which generator-service does not read",
        "short-grace               | StatefulSet/trainer-service: terminationGracePeriodSeconds 60 does not cover",
        "unpinned-image            | image faces/ingest-service:latest must be pinned",
        "registry-in-image         | image registry.example/faces/ingest-service:0.1.0 names the registry registry.example",
        "privilege-escalation      | StatefulSet/minio container minio: securityContext.allowPrivilegeEscalation must be false",
        "missing-topic             | differ from Topics.all()",
        "missing-node-pool-storage | KafkaNodePool/dual-role: required field KafkaNodePool.spec.storage is missing",
    })
    void reportsTheOneBrokenRule(String fixture, String expected) {
        List<ObjectNode> objects = Manifests.render(Repo.BROKEN.resolve(fixture));
        List<String> problems = new ArrayList<>();
        objects.forEach(o -> problems.addAll(ModelSchemas.validate(o)));
        problems.addAll(INVARIANTS.check(objects, false));
        assertThat(problems).as(fixture).hasSize(1);
        assertThat(problems.get(0)).contains(expected);
    }
}
