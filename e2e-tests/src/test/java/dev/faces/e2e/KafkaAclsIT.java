package dev.faces.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faces.core.ObjectKeys;
import dev.faces.core.Topics;
import dev.faces.core.events.CheckpointPublished;
import dev.faces.core.events.CloudEvent;
import dev.faces.stack.KafkaBroker;
import dev.faces.stack.LocalStack;
import dev.faces.stack.LocalStackExtension;
import dev.faces.stack.ServiceProcess.Service;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The KafkaUsers of deploy/ as a cluster applies them: every client authenticates with SCRAM-SHA-512 as its own
 * user and gets only the ACLs of users.yaml. The whole pipeline runs that way (ingest, auto-training, serving, a
 * pin, a retraining requested by the ml-engineer), which shows the ACLs are enough; the ml-engineer is refused
 * what users.yaml does not grant, which shows they are not more.
 */
@ExtendWith(LocalStackExtension.class)
class KafkaAclsIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String DATASET = "acl-faces";
    private static final String AUTO_RUN = "auto-" + DATASET;
    private static final String ML_RUN = "acl-ml-retrain";
    private static KafkaBroker broker;
    private static Pipeline pipeline;

    @BeforeAll
    static void start(LocalStack stack) throws Exception {
        broker = stack.kafka();
        Map<String, List<AclBinding>> users = KafkaUsersFromManifest.read();
        assertThat(users).containsKeys("ingest-service", "trainer-service", "generator-service", "ml-engineer");
        List<AclBinding> all = new ArrayList<>();
        users.forEach((user, acls) -> {
            broker.addScramUser(user, password(user));
            all.addAll(acls);
        });
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            admin.createAcls(all).all().get(30, TimeUnit.SECONDS);
        }
        Map<Service, Map<String, String>> env = new EnumMap<>(Service.class);
        for (Service s : Service.values()) {
            Map<String, String> e = new HashMap<>(scramEnv(s.module));
            if (s == Service.TRAINER) {
                e.putAll(Map.of("AUTO_TRAIN", "true", "AUTO_TRAIN_EPOCHS", "1", "FACES_TRAINER_SWD_IMAGES", "16",
                        "FACES_TRAINER_CALIBRATION_BATCHES", "1"));
            }
            env.put(s, e);
        }
        pipeline = Pipeline.start(stack, "kafka-acls", env);
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.unpin(); // faces.serving is shared by every test of the stack: leave no pin behind
            pipeline.close();
        }
    }

    private static String password(String user) {
        return user + "-scram-password";
    }

    /** What deploy/ gives a pod: the ConfigMap's protocol and mechanism, the User Operator's sasl.jaas.config. */
    private static Map<String, String> scramEnv(String user) {
        return Map.of("KAFKA_BOOTSTRAP_SERVERS", broker.scramBootstrapServers(),
                "KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_SASL_JAAS_CONFIG", jaas(user));
    }

    private static String jaas(String user) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password(user) + "\";";
    }

    private static Map<String, Object> mlEngineer() {
        Map<String, Object> c = new HashMap<>();
        c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.scramBootstrapServers());
        c.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        c.put("sasl.mechanism", "SCRAM-SHA-512");
        c.put("sasl.jaas.config", jaas("ml-engineer"));
        return c;
    }

    @Test
    void thePipelineRunsOnItsOwnUsersAndTheMlEngineerGetsOnlyWhatUsersYamlGrants() throws Exception {
        // ingest-service writes faces.datasets; trainer-service reads it, trains, writes faces.checkpoints.
        String job = pipeline.ingest(pipeline.sample("sample", 160, 11), DATASET);
        JsonNode done = pipeline.await(job, j -> !j.path("status").asText().matches("queued|running"),
                Duration.ofMinutes(2));
        assertThat(done.path("status").asText()).as(pipeline.logs()).isEqualTo("completed");
        JsonNode run = pipeline.await(pipeline.services.trainer().url() + "/api/training-runs/" + AUTO_RUN,
                r -> r.path("status").asText().matches("completed|failed|cancelled"), Duration.ofMinutes(5));
        assertThat(run.path("status").asText()).as(pipeline.logs()).isEqualTo("completed");
        // generator-service reads faces.checkpoints in a group of its own.
        String version = ObjectKeys.modelVersion(AUTO_RUN, 1);
        pipeline.await(pipeline.services.generator().url() + "/api/models/current",
                m -> m.path("version").asText().equals(version), Duration.ofSeconds(60));

        // The ml-engineer requests a retraining, as deploy/examples does, and watches for its checkpoint.
        try (KafkaConsumer<String, byte[]> watch = new KafkaConsumer<>(withGroup(mlEngineer(), "ml-acl-watch"),
                new StringDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(mlEngineer(), new StringSerializer(),
                     new ByteArraySerializer())) {
            watch.subscribe(List.of(Topics.CHECKPOINTS));
            String event = "{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID() + "\",\"source\":\"kafka-acls-it\","
                    + "\"type\":\"faces.training.requested.v1\",\"data\":{\"datasetId\":\"" + DATASET + "\",\"runId\":\""
                    + ML_RUN + "\",\"epochs\":1}}";
            producer.send(new ProducerRecord<>(Topics.TRAINING_REQUESTS, ML_RUN,
                    event.getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);

            CheckpointPublished seen = null;
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (seen == null && System.nanoTime() < deadline) {
                pipeline.requireRunning();
                for (ConsumerRecord<String, byte[]> r : watch.poll(Duration.ofSeconds(1))) {
                    CloudEvent e = KafkaTopics.decode(r);
                    if (ML_RUN.equals(r.key()) && e.data() instanceof CheckpointPublished c) {
                        seen = c;
                    }
                }
            }
            assertThat(seen).as("the ml-engineer's retraining published a checkpoint; " + pipeline.logs()).isNotNull();
            assertThat(seen.generator().key()).isEqualTo(ObjectKeys.generator(ML_RUN, 1));

            // What users.yaml does not grant the ml-engineer: writing checkpoints, reading datasets.
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(Topics.CHECKPOINTS, "x", new byte[] {1}))
                    .get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(AuthorizationException.class);
        }
        try (KafkaConsumer<String, byte[]> datasets = new KafkaConsumer<>(withGroup(mlEngineer(), "ml-acl-datasets"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            datasets.subscribe(List.of(Topics.DATASETS));
            assertThatThrownBy(() -> {
                for (int i = 0; i < 20; i++) {
                    datasets.poll(Duration.ofMillis(500));
                }
            }).isInstanceOf(AuthorizationException.class);
        }

        // generator-service writes faces.serving: a pin through the API is served.
        String older = ObjectKeys.modelVersion(AUTO_RUN, 1);
        HttpResponse<String> pin = HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.services.generator().url()
                        + "/api/models/current")).header("Authorization", "Bearer " + Pipeline.TOKEN)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"runId\":\"" + AUTO_RUN + "\",\"epoch\":1}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(pin.statusCode()).as(pin.body()).isEqualTo(200);
        pipeline.await(pipeline.services.generator().url() + "/api/models/current",
                m -> m.path("version").asText().equals(older) && m.path("pinned").asBoolean(), Duration.ofSeconds(30));
        pipeline.unpin();

        for (var service : pipeline.services.all()) {
            assertThat(java.nio.file.Files.readString(service.log())).as(service.service().module
                    + " was never refused by an ACL").doesNotContain("AuthorizationException")
                    .doesNotContain("Not authorized");
        }
    }

    private static Map<String, Object> withGroup(Map<String, Object> config, String group) {
        Map<String, Object> c = new HashMap<>(config);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return c;
    }
}
