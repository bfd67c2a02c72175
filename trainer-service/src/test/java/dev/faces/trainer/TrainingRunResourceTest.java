package dev.faces.trainer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.faces.core.CheckpointManifest;
import dev.faces.core.DcganLayers;
import dev.faces.core.Digests;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.Topics;
import dev.faces.core.events.CheckpointPublished;
import dev.faces.core.events.CloudEvent;
import dev.faces.core.events.EventCodec;
import dev.faces.core.events.TrainingFinished;
import dev.faces.core.tensor.SafeTensors;
import dev.faces.stack.LocalStack;
import dev.faces.stack.SampleDatasets;
import dev.faces.stack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** The trainer on the real broker and S3: shards and a request in, checkpoints and events out. */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class TrainingRunResourceTest {
    static final String ADMIN = "Bearer dev-admin-token";

    @Test
    void shardsAndARequestGiveCheckpointsAndEvents() throws Exception {
        LocalStack stack = LocalStack.shared();
        String dataset = "ds-" + UUID.randomUUID().toString().substring(0, 8);
        String runId = "run-" + dataset;
        SampleDatasets.publish(stack, dataset, 2, 24);

        given().header("Authorization", ADMIN).contentType("application/json")
                .body("{\"datasetId\":\"" + dataset + "\",\"runId\":\"" + runId + "\",\"epochs\":2,\"batchSize\":16}")
                .post("/api/training-runs").then().statusCode(202)
                .body("runId", equalTo(runId)).body("status", equalTo("queued"));

        awaitStatus(runId, "completed", Duration.ofMinutes(5));

        ObjectStore s3 = new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1");
        String bucket = ObjectKeys.CHECKPOINTS_BUCKET;
        for (int epoch = 1; epoch <= 2; epoch++) {
            for (String key : List.of(ObjectKeys.generator(runId, epoch), ObjectKeys.discriminator(runId, epoch),
                    ObjectKeys.optimizer(runId, epoch), ObjectKeys.samples(runId, epoch), ObjectKeys.epochMetrics(runId, epoch))) {
                assertThat(s3.exists(bucket, key)).as(key).isTrue();
            }
        }
        assertThat(s3.exists(bucket, ObjectKeys.generator(runId, 3))).isFalse();
        // checkpoint.json, the commit marker, lists every object of the checkpoint with its size and digest
        CheckpointManifest manifest = CheckpointManifest.parse(s3.get(bucket, ObjectKeys.checkpointManifest(runId, 2))
                .orElseThrow());
        assertThat(manifest.objects()).extracting(CheckpointManifest.Entry::key).containsExactly(
                ObjectKeys.generator(runId, 2), ObjectKeys.discriminator(runId, 2), ObjectKeys.optimizer(runId, 2),
                ObjectKeys.samples(runId, 2), ObjectKeys.generatorEma(runId, 2), ObjectKeys.samplesEma(runId, 2),
                ObjectKeys.epochMetrics(runId, 2));
        for (CheckpointManifest.Entry entry : manifest.objects()) {
            byte[] content = s3.get(bucket, entry.key()).orElseThrow();
            assertThat(Digests.sha256(content)).as(entry.key()).isEqualTo(entry.sha256());
            assertThat((long) content.length).isEqualTo(entry.bytes());
        }
        // 48 images: a quarter (12) held back for SWD, the floor measured once and kept in run.json
        assertThat(manifest.swdImages()).isEqualTo(12);
        assertThat(manifest.metrics().swd()).isPositive();
        assertThat(manifest.swdFloor()).isPositive();
        assertThat(new String(s3.get(bucket, ObjectKeys.epochMetrics(runId, 1)).orElseThrow())).contains("\"swdImages\":12");
        SafeTensors.Contents g = SafeTensors.read(s3.get(bucket, ObjectKeys.generator(runId, 2)).orElseThrow());
        assertThat(g.tensors().keySet()).containsExactlyInAnyOrderElementsOf(
                DcganLayers.stateDict(DcganLayers.GENERATOR).stream().map(DcganLayers.TensorSpec::name).toList());
        byte[] png = s3.get(bucket, ObjectKeys.samples(runId, 1)).orElseThrow();
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');

        String metrics = new String(s3.get(bucket, ObjectKeys.metricsLog(runId)).orElseThrow(), StandardCharsets.UTF_8);
        assertThat(metrics.lines().filter(l -> l.contains("\"type\":\"epoch\""))).hasSize(2);

        List<CloudEvent> events = checkpointEvents(runId, 3);
        List<CheckpointPublished> checkpoints = events.stream().map(CloudEvent::data)
                .filter(CheckpointPublished.class::isInstance).map(CheckpointPublished.class::cast).toList();
        assertThat(checkpoints).extracting(CheckpointPublished::epoch).containsExactly(1, 2);
        // Both generators are scored: G's SWD and G_ema's, in the event as in checkpoint.json.
        assertThat(checkpoints.get(1).metrics().swdEma()).isPositive()
                .isEqualTo(manifest.metrics().swdEma()).isNotEqualTo(checkpoints.get(1).metrics().swd());
        SafeTensors.Contents ema = SafeTensors.read(s3.get(bucket, ObjectKeys.generatorEma(runId, 2)).orElseThrow());
        assertThat(ema.tensors().keySet()).isEqualTo(g.tensors().keySet());
        assertThat(checkpoints.get(1).generator().sha256())
                .isEqualTo(Digests.sha256(s3.get(bucket, ObjectKeys.generator(runId, 2)).orElseThrow()))
                .isEqualTo(manifest.object(ObjectKeys.generator(runId, 2)).orElseThrow().sha256());
        assertThat(events.get(1).id()).isEqualTo(manifest.eventId());
        assertThat(checkpoints.get(1).metrics().imagesPerSecond()).isPositive();
        TrainingFinished finished = (TrainingFinished) events.get(events.size() - 1).data();
        assertThat(finished.status()).isEqualTo(TrainingFinished.Status.COMPLETED);
        assertThat(finished.epochs()).isEqualTo(2);

        // The same runId again starts nothing.
        given().header("Authorization", ADMIN).contentType("application/json")
                .body("{\"datasetId\":\"" + dataset + "\",\"runId\":\"" + runId + "\",\"epochs\":9}")
                .post("/api/training-runs").then().statusCode(202).body("status", equalTo("completed"))
                .body("epochsDone", equalTo(2));
        given().get("/api/training-runs/" + runId).then().statusCode(200).body("request.epochs", equalTo(2))
                .body("device", equalTo(ai.djl.engine.Engine.getInstance().defaultDevice().toString()));

        String prometheus = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(prometheus).contains("faces_trainer_loss_d", "faces_trainer_images_per_second",
                "faces_trainer_device_info{device=\"" + ai.djl.engine.Engine.getInstance().defaultDevice() + "\"");
        assertThat(prometheus.lines().filter(l -> l.startsWith("faces_trainer_steps_total")).findFirst().orElseThrow())
                .doesNotEndWith(" 0.0");
    }

    @Test
    void cancelStopsARunBetweenSteps() throws Exception {
        LocalStack stack = LocalStack.shared();
        String dataset = "cancel-" + UUID.randomUUID().toString().substring(0, 8);
        String runId = "run-" + dataset;
        SampleDatasets.publish(stack, dataset, 2, 64);
        given().header("Authorization", ADMIN).contentType("application/json")
                .body("{\"datasetId\":\"" + dataset + "\",\"runId\":\"" + runId + "\",\"epochs\":50,\"batchSize\":16}")
                .post("/api/training-runs").then().statusCode(202);
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline && given().get("/api/training-runs/" + runId).then().extract()
                .path("batch") == null) {
            Thread.sleep(200);
        }
        given().get("/api/training-runs/" + runId).then().body("status", equalTo("running"))
                .body("etaSeconds", org.hamcrest.Matchers.greaterThan(0));
        given().post("/api/training-runs/" + runId + "/cancel").then().statusCode(401);
        given().header("Authorization", ADMIN).post("/api/training-runs/" + runId + "/cancel").then().statusCode(202);
        awaitStatus(runId, "cancelled", Duration.ofMinutes(2));
        List<CloudEvent> events = checkpointEvents(runId, 1);
        TrainingFinished finished = (TrainingFinished) events.stream().map(CloudEvent::data)
                .filter(TrainingFinished.class::isInstance).findFirst().orElseThrow();
        assertThat(finished.status()).isEqualTo(TrainingFinished.Status.CANCELLED);
        assertThat(finished.reason()).startsWith("cancelled during epoch");
    }

    @Test
    void malformedKafkaRequestsGoToTheDeadLetterTopicWithAReason() throws Exception {
        LocalStack stack = LocalStack.shared();
        String marker = UUID.randomUUID().toString();
        try (KafkaProducer<String, byte[]> producer = SampleDatasets.producer(stack)) {
            producer.send(new ProducerRecord<>(Topics.TRAINING_REQUESTS, marker,
                    ("{\"specversion\":\"1.0\",\"id\":\"" + marker + "\",\"source\":\"t\",\"type\":\"faces.training.requested.v1\","
                            + "\"data\":{\"datasetId\":\"d\",\"epochs\":\"many\"}}").getBytes())).get();
        }
        try (KafkaConsumer<String, byte[]> consumer = consumer(stack)) {
            consumer.subscribe(List.of(Topics.deadLetter(Topics.TRAINING_REQUESTS)));
            String reason = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (reason == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (marker.equals(r.key())) {
                        Header h = r.headers().lastHeader("dead-letter-reason");
                        reason = h == null ? "(no reason header)" : new String(h.value(), StandardCharsets.UTF_8);
                    }
                }
            }
            assertThat(reason).contains("field 'epochs'").contains("must be an integer");
        }
    }

    @Test
    void badRequestsGetProblemDetails() {
        given().contentType("application/json").body("{\"datasetId\":\"x\"}").post("/api/training-runs")
                .then().statusCode(401).contentType("application/problem+json").body("detail", containsString("Bearer"));
        given().header("Authorization", ADMIN).contentType("application/json").body("{\"datasetId\":\"x\",\"epochs\":0}")
                .post("/api/training-runs").then().statusCode(400).contentType("application/problem+json")
                .body("detail", equalTo("epochs must be between 1 and 10000, was 0"));
        given().header("Authorization", ADMIN).contentType("application/json").body("{not json")
                .post("/api/training-runs").then().statusCode(400).body("title", equalTo("Malformed JSON"));
        given().header("Authorization", ADMIN).contentType("application/json").body("{\"datasetId\":\"../../etc\"}")
                .post("/api/training-runs").then().statusCode(400).body("detail", containsString("is not allowed"));
        given().get("/api/training-runs/no-such-run").then().statusCode(404).body("status", equalTo(404));
        given().get("/api/training-runs/bad%20id").then().statusCode(400);
        given().header("Authorization", ADMIN).post("/api/training-runs/no-such-run/cancel").then().statusCode(404);
    }

    /** A POST retried with the same Idempotency-Key names the same run, so it starts nothing new. */
    @Test
    void aRetriedPostWithItsIdempotencyKeyNamesTheSameRun() {
        String key = "retry-" + java.util.UUID.randomUUID();
        String body = "{\"datasetId\":\"idempotent-never-ingested\"}";
        String first = given().header("Authorization", ADMIN).header("Idempotency-Key", key).contentType("application/json")
                .body(body).post("/api/training-runs").then().statusCode(202).extract().path("runId");
        String retried = given().header("Authorization", ADMIN).header("Idempotency-Key", key).contentType("application/json")
                .body(body).post("/api/training-runs").then().statusCode(202).extract().path("runId");
        String other = given().header("Authorization", ADMIN).header("Idempotency-Key", key + "-2")
                .contentType("application/json").body(body).post("/api/training-runs").then().statusCode(202)
                .extract().path("runId");
        assertThat(retried).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
        given().header("Authorization", ADMIN).header("Idempotency-Key", "has space").contentType("application/json")
                .body(body).post("/api/training-runs").then().statusCode(400).body("title", equalTo("Invalid Idempotency-Key"));
    }

    private static void awaitStatus(String runId, String status, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            var response = given().get("/api/training-runs/" + runId).then().extract();
            // 404 until the request has gone round the topic to the run's owner
            assertThat(response.statusCode()).as("GET run %s", runId).isIn(200, 404);
            last = response.statusCode() == 200 ? response.path("status") : "(not yet queued)";
            if (status.equals(last)) {
                return;
            }
            if ("failed".equals(last)) {
                String reason = given().get("/api/training-runs/" + runId).then().extract().path("reason");
                throw new AssertionError("run failed: " + reason);
            }
            Thread.sleep(500);
        }
        throw new AssertionError("run " + runId + " is " + last + " after " + timeout);
    }

    static List<CloudEvent> checkpointEvents(String runId, int expected) {
        List<CloudEvent> events = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer(LocalStack.shared())) {
            consumer.subscribe(List.of(Topics.CHECKPOINTS));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (events.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (runId.equals(r.key())) {
                        Map<String, String> headers = new HashMap<>();
                        r.headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
                        events.add(EventCodec.decode(headers, r.value()));
                    }
                }
            }
        }
        return events;
    }

    static KafkaConsumer<String, byte[]> consumer(LocalStack stack) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
