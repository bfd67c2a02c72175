package dev.faces.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestPodsTest {
    private static final ManifestPods.Local LOCAL = new ManifestPods.Local("localhost:19092", "http://localhost:19000",
            "key", "secret");

    private static String workload(String kind, String name, int port, String extraEnv) {
        return """
                ---
                apiVersion: apps/v1
                kind: %s
                metadata: {name: %s}
                spec:
                  serviceName: %s-headless
                  template:
                    spec:
                      securityContext: {runAsUser: 185}
                      containers:
                      - name: %s
                        image: faces/%s:0.1.0
                        envFrom: [{configMapRef: {name: faces-config-abc}}]
                        env:
                        - {name: S3_ACCESS_KEY, valueFrom: {secretKeyRef: {name: faces-s3-%s, key: access-key}}}
                        - {name: KAFKA_SASL_JAAS_CONFIG, valueFrom: {secretKeyRef: {name: %s, key: sasl.jaas.config}}}
                        - {name: ADMIN_TOKEN, valueFrom: {secretKeyRef: {name: faces-admin, key: %s}}}
                        ports: [{containerPort: %d, name: http}]
                        readinessProbe: {httpGet: {path: /q/health/ready, port: http}}
                        securityContext: {readOnlyRootFilesystem: true}
                        volumeMounts: [{mountPath: /var/cache/faces, name: cache}]
                """.formatted(kind, name, name, name, name, name, name, extraEnv, port)
                + ("StatefulSet".equals(kind) ? """
                  volumeClaimTemplates:
                  - metadata: {name: cache}
                """ : "");
    }

    private static String rendered(String tokenKey) {
        return """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: faces-config-abc}
                data: {KAFKA_BOOTSTRAP_SERVERS: "faces-kafka-bootstrap:9092", KAFKA_SECURITY_PROTOCOL: SASL_PLAINTEXT,
                       S3_ENDPOINT: "http://minio:9000", S3_REGION: us-east-1}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: faces-admin}
                data: {token: ZGV2LWFkbWluLXRva2Vu}
                """ + workload("Deployment", "ingest-service", 8081, "token")
                + workload("StatefulSet", "trainer-service", 8082, "token")
                + workload("Deployment", "generator-service", 8080, tokenKey);
    }

    private static List<JsonNode> docs(String yaml) throws Exception {
        try (var parser = new YAMLFactory().createParser(yaml)) {
            return new YAMLMapper().readValues(parser, JsonNode.class).readAll();
        }
    }

    @Test
    void theConfigMapNamesTheLocalServersAndThePodSpecsStayAsRendered() throws Exception {
        List<JsonNode> play = docs(ManifestPods.of(rendered("token")).playYaml(LOCAL));
        assertThat(play).extracting(d -> d.path("kind").asText())
                .containsExactly("ConfigMap", "Deployment", "Deployment", "Deployment");
        JsonNode data = play.get(0).path("data");
        assertThat(data.path("KAFKA_BOOTSTRAP_SERVERS").asText()).isEqualTo("localhost:19092");
        assertThat(data.path("KAFKA_SECURITY_PROTOCOL").asText()).isEqualTo("PLAINTEXT");
        assertThat(data.path("S3_ENDPOINT").asText()).isEqualTo("http://localhost:19000");
        assertThat(data.path("S3_REGION").asText()).isEqualTo("us-east-1");

        JsonNode trainer = play.get(2);
        assertThat(trainer.path("metadata").path("name").asText()).isEqualTo("trainer-service");
        assertThat(trainer.path("spec").has("volumeClaimTemplates")).isFalse();
        assertThat(trainer.path("spec").has("serviceName")).isFalse();
        JsonNode pod = trainer.path("spec").path("template").path("spec");
        assertThat(pod.path("volumes").get(0).path("name").asText()).isEqualTo("cache");
        assertThat(pod.path("volumes").get(0).has("emptyDir")).isTrue();
        assertThat(pod.path("securityContext").path("runAsUser").asInt()).isEqualTo(185);
        JsonNode c = pod.path("containers").get(0);
        assertThat(c.has("ports")).isFalse();
        assertThat(c.path("readinessProbe").path("httpGet").path("port").asInt()).isEqualTo(8082);
        assertThat(c.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(c.path("image").asText()).isEqualTo("faces/trainer-service:0.1.0");
    }

    @Test
    void secretsCarryTheLocalS3IdentityAndTheKafkaUsersStrimziWouldWrite() throws Exception {
        Map<String, String> secrets = ManifestPods.of(rendered("token")).podmanSecrets(LOCAL);
        assertThat(secrets).containsKeys("faces-s3-ingest-service", "ingest-service", "faces-admin");
        ObjectMapper json = new ObjectMapper();
        assertThat(decode(json.readTree(secrets.get("faces-s3-trainer-service")).path("access-key"))).isEqualTo("key");
        assertThat(decode(json.readTree(secrets.get("trainer-service")).path("sasl.jaas.config")))
                .contains("ScramLoginModule").contains("username=\"trainer-service\"");
        assertThat(decode(json.readTree(secrets.get("faces-admin")).path("token"))).isEqualTo("dev-admin-token");
    }

    @Test
    void aSecretKeyThatTheRenderedSecretLacksIsAnError() {
        assertThatThrownBy(() -> ManifestPods.of(rendered("password")).podmanSecrets(LOCAL))
                .hasMessageContaining("faces-admin has no key password");
    }

    @Test
    void probesResolveNamedPorts() {
        assertThat(ManifestPods.of(rendered("token")).readiness()).extracting(ManifestPods.Probe::url)
                .containsExactly("http://localhost:8081/q/health/ready", "http://localhost:8082/q/health/ready",
                        "http://localhost:8080/q/health/ready");
    }

    private static String decode(JsonNode base64) {
        return new String(Base64.getDecoder().decode(base64.asText()), StandardCharsets.UTF_8);
    }
}
