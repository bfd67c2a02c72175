package dev.faces.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faces.core.ObjectKeys;
import dev.faces.core.Topics;
import dev.faces.core.events.CheckpointPublished;
import dev.faces.core.events.CloudEvent;
import dev.faces.core.events.DatasetBatch;
import dev.faces.core.events.DatasetCompleted;
import dev.faces.core.events.EventCodec;
import dev.faces.core.events.TrainingFinished;
import dev.faces.stack.JsonHttp;
import dev.faces.stack.LocalStack;
import dev.faces.stack.LocalStackExtension;
import dev.faces.stack.ServiceProcess;
import dev.faces.stack.ServiceProcess.Service;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Drills on the running pipeline: Kafka is away for minutes during an ingest and a cancel, S3 goes away and comes
 * back, the ingest is killed with SIGKILL. Each time nothing is lost and everything recovers on its own. (A trainer
 * killed mid-run, with SIGKILL or SIGTERM, is TrainerDrillsIT's.)
 */
@ExtendWith(LocalStackExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrillsIT {
    private static final String TRAIN_SET = "drill-train";
    private static Pipeline pipeline;
    private static LocalStack stack;

    @BeforeAll
    static void start(LocalStack localStack) throws Exception {
        stack = localStack;
        pipeline = Pipeline.start(stack, "drills", Map.of(Service.INGEST, Map.of("INGEST_SHARD_SIZE", "100", "FACES_S3_RETRY_SECONDS", "3"),
                // A short S3 retry budget, so that the S3 drill also sees a run pause and resume on its own.
                // A short pause after an outage outlasted the retries, so that the run goes on soon after S3 is back.
                Service.TRAINER, Map.of("FACES_TRAINER_SWD_IMAGES", "16", "FACES_TRAINER_CALIBRATION_BATCHES", "1",
                        "FACES_S3_RETRY_SECONDS", "3",
                        "FACES_TRAINER_PAUSE_SECONDS", "5")));
        String job = pipeline.ingest(pipeline.sample("train", 256, 11), TRAIN_SET);
        assertThat(pipeline.await(job, finished(), Duration.ofMinutes(2)).path("status").asText()).isEqualTo("completed");
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    /**
     * Kafka is away for three minutes, longer than any client's retries, while an ingest runs and while a cancelled
     * run sends its end. The same ingest job finishes by itself once the broker is back, each shard announced once;
     * the run stays cancelled and its end reaches the topic.
     */
    @Test
    @Order(1)
    void kafkaAwayThreeMinutesDuringAnIngestAndACancelLosesAndRepeatsNothing() throws Exception {
        String dataset = "drill-broker-ingest";
        String runId = "drill-broker-cancel";
        String url = startRun(runId, 3);
        // cancelled in its second epoch: epoch 1's checkpoint is served, as the S3 drill below needs
        pipeline.await(url, r -> r.path("epoch").asInt() == 2 && r.path("batch").asInt() >= 1, Duration.ofMinutes(3));
        String job = pipeline.ingest(pipeline.sample("big", 3000, 3), dataset);
        pipeline.await(job, j -> j.path("processed").asInt() >= 300, Duration.ofMinutes(2));

        long stopped = System.nanoTime();
        stack.kafka().kill();
        try {
            JsonHttp.Reply cancel = JsonHttp.post(url + "/cancel", "", Pipeline.TOKEN);
            assertThat(cancel.status()).as("%s", cancel.body()).isEqualTo(202);
            JsonNode cancelled = pipeline.await(url, finalStatus(), Duration.ofMinutes(1));
            assertThat(cancelled.path("status").asText()).isEqualTo("cancelled");
            JsonNode waiting = pipeline.await(job, j -> j.path("message").asText().startsWith("waiting: Kafka unavailable"),
                    Duration.ofMinutes(2));
            assertThat(waiting.path("status").asText()).isEqualTo("running");
            long left = Duration.ofMinutes(3).toMillis() - (System.nanoTime() - stopped) / 1_000_000;
            Thread.sleep(Math.max(0, left));
            assertThat(pipeline.services.trainer().tail(400)).contains("run " + runId + " paused");
        } finally {
            stack.kafka().start();
        }

        JsonNode done = pipeline.await(job, finished(), Duration.ofMinutes(4));
        assertThat(done.path("status").asText()).as(pipeline.logs()).isEqualTo("completed");
        assertThat(done.path("id").asText()).isEqualTo(job.substring(job.lastIndexOf('/') + 1));
        JsonNode manifest = EventCodec.json().readTree(pipeline.readObject(ObjectKeys.DATASETS_BUCKET,
                ObjectKeys.manifest(dataset)));
        assertThat(manifest.path("imageCount").asInt()).isEqualTo(3000);
        List<CloudEvent> events = pipeline.events(Topics.DATASETS, dataset);
        List<Integer> announced = events.stream().map(CloudEvent::data).filter(DatasetBatch.class::isInstance)
                .map(e -> ((DatasetBatch) e).shardIndex()).toList();
        assertThat(announced).as("every shard announced once").containsExactlyElementsOf(
                IntStream.range(0, 30).boxed().toList());
        assertThat(announcedShards(events)).isEqualTo(shardDigests(manifest));
        assertThat(events).map(CloudEvent::data).filteredOn(DatasetCompleted.class::isInstance).hasSize(1);
        assertThat(shardFiles(dataset)).isEqualTo(30);

        // The run's end reaches the topic once Kafka is back, and the run stays cancelled: never trained again.
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (finishedStatuses(runId).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1000);
        }
        assertThat(finishedStatuses(runId)).as(pipeline.logs()).isNotEmpty().containsOnly(TrainingFinished.Status.CANCELLED);
        Thread.sleep(10_000);
        JsonNode after = JsonHttp.get(url).body();
        assertThat(after.path("status").asText()).isEqualTo("cancelled");
        JsonNode stored = EventCodec.json().readTree(pipeline.readObject(ObjectKeys.CHECKPOINTS_BUCKET,
                ObjectKeys.runJson(runId)));
        assertThat(stored.path("status").asText()).isEqualTo("cancelled");
        String log = pipeline.services.trainer().tail(3000);
        int cancelledAt = log.lastIndexOf("run " + runId + " cancelled: ");
        assertThat(cancelledAt).as("the trainer logged the cancel").isNotNegative();
        String afterCancel = log.substring(cancelledAt);
        // Each attempt to announce takes a lease only to record in run.json that the broker has the end.
        assertThat(afterCancel).contains("run " + runId + " is cancelled; its end never reached the broker, announcing it")
                .doesNotContain("run " + runId + " resumes at epoch").doesNotContain("run " + runId + " starts at epoch");
        assertThat(stored.path("endAnnounced").asBoolean()).as("run.json records that the broker has the end").isTrue();
    }

    private static List<TrainingFinished.Status> finishedStatuses(String runId) {
        return pipeline.events(Topics.CHECKPOINTS, runId).stream().map(CloudEvent::data)
                .filter(TrainingFinished.class::isInstance).map(e -> ((TrainingFinished) e).status()).toList();
    }

    @Test
    @Order(2)
    void s3GoesAwayAndComesBack() throws Exception {
        String runId = "drill-s3";
        String url = startRun(runId, 2);
        pipeline.await(url, r -> r.path("epoch").asInt() == 1 && r.path("batch").asInt() >= 2, Duration.ofMinutes(2));
        List<ServiceProcess> services = pipeline.services.all();
        pipeline.await(pipeline.services.generator().url() + "/api/models/current", m -> m.hasNonNull("version"),
                Duration.ofMinutes(1));
        stack.s3().close();
        try {
            for (ServiceProcess s : services) {
                if (s.service() == Service.GENERATOR) {
                    // it serves from memory: still ready, and its health says storage is down
                    awaitStatus(s, "/q/health/well", 503);
                    assertThat(s.status("/q/health/ready")).isEqualTo(200);
                    assertThat(JsonHttp.get(s.url() + "/api/faces/3.png").status()).isEqualTo(200);
                } else {
                    awaitReadiness(s, 503);
                }
            }
            // a request that needs storage gets a 503 that says when to retry, not a bare 500
            var refused = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(pipeline.services.ingest().url() + "/api/ingest-jobs"))
                    .header("Authorization", "Bearer " + Pipeline.TOKEN).header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"source\":\"" + pipeline.dir.resolve("train")
                            + "\",\"datasetId\":\"during-outage\"}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(refused.headers().firstValue("Content-Type").orElse("")).contains("problem+json");
            // The run trains on from its local shard cache up to the end of epoch 1, whose checkpoint waits for S3.
            JsonNode atEpochEnd = pipeline.await(url, r -> r.path("epoch").asInt() == 1
                    && r.path("batch").asInt() == r.path("batchesPerEpoch").asInt(), Duration.ofMinutes(2));
            assertThat(atEpochEnd.path("status").asText()).isEqualTo("running");
            awaitLog(pipeline.services.trainer(), "run " + runId + " paused");
            assertThat(pipeline.services.trainer().tail(200)).contains("retrying with backoff");
        } finally {
            stack.s3().start();
        }
        for (ServiceProcess s : services) {
            awaitReadiness(s, 200);
        }
        JsonNode run = pipeline.await(url, finalStatus(), Duration.ofMinutes(5));
        assertThat(run.path("status").asText()).as(pipeline.logs()).isEqualTo("completed");
        assertThat(run.path("epochsDone").asInt()).isEqualTo(2);
        assertCheckpointEvents(runId, 2);
        for (int epoch = 1; epoch <= 2; epoch++) {
            assertThat(pipeline.s3().exists(ObjectKeys.CHECKPOINTS_BUCKET, ObjectKeys.generator(runId, epoch))).isTrue();
        }
    }

    @Test
    @Order(3)
    void aKilledIngestResumesOnRestartAndEndsWithTheSameDataset() throws Exception {
        String reference = "drill-broker-ingest"; // the same 3,000 images, ingested without a crash in drill 1
        String dataset = "drill-ingest-kill";
        ServiceProcess ingest = pipeline.services.ingest();
        String job = pipeline.ingest(pipeline.dir.resolve("big"), dataset);
        pipeline.await(job, j -> j.path("processed").asInt() >= 1000, Duration.ofMinutes(2));
        ingest.kill();
        assertThat(ingest.exitCode()).isEqualTo(137);
        assertThat(pipeline.s3().exists(ObjectKeys.DATASETS_BUCKET, ObjectKeys.manifest(dataset))).isFalse();

        ingest.start().awaitUp(Duration.ofMinutes(1)); // nobody asks again: the saved request resumes
        JsonNode manifest = pipeline.await(ingest.url() + "/api/datasets/" + dataset, m -> m.has("shards"),
                Duration.ofMinutes(3));
        assertThat(ingest.tail(300)).contains("resuming the interrupted ingest of " + dataset);
        JsonNode expected = EventCodec.json().readTree(pipeline.readObject(ObjectKeys.DATASETS_BUCKET,
                ObjectKeys.manifest(reference)));
        assertThat(manifest.path("imageCount").asInt()).isEqualTo(3000);
        assertThat(shardDigests(manifest)).isEqualTo(shardDigests(expected)).hasSize(30);
        assertThat(shardFiles(dataset)).isEqualTo(30);
        assertThat(announcedShards(pipeline.events(Topics.DATASETS, dataset))).isEqualTo(shardDigests(expected));
    }

    /** "count:sha256" by shard index, as the batch events announced them (a repeat announces the same). */
    private static Map<Integer, String> announcedShards(List<CloudEvent> events) {
        Map<Integer, String> out = new java.util.TreeMap<>();
        events.stream().map(CloudEvent::data).filter(DatasetBatch.class::isInstance).map(DatasetBatch.class::cast)
                .forEach(b -> out.put(b.shardIndex(), b.imageCount() + ":" + b.sha256()));
        return out;
    }

    private static long shardFiles(String dataset) {
        return pipeline.s3().list(ObjectKeys.DATASETS_BUCKET, ObjectKeys.datasetPrefix(dataset)).stream()
                .filter(k -> k.endsWith(".npy")).count();
    }

    private static Map<Integer, String> shardDigests(JsonNode manifest) {
        Map<Integer, String> out = new java.util.TreeMap<>();
        for (JsonNode shard : manifest.path("shards")) {
            out.put(shard.path("index").asInt(), shard.path("count").asInt() + ":" + shard.path("sha256").asText());
        }
        return out;
    }

    private static String startRun(String runId, int epochs) {
        String trainer = pipeline.services.trainer().url();
        JsonHttp.Reply r = JsonHttp.post(trainer + "/api/training-runs", "{\"datasetId\":\"" + TRAIN_SET
                + "\",\"runId\":\"" + runId + "\",\"epochs\":" + epochs + ",\"batchSize\":32}", Pipeline.TOKEN);
        assertThat(r.status()).as("%s", r.body()).isEqualTo(202);
        return trainer + "/api/training-runs/" + runId;
    }

    /** One checkpoint event per epoch (a duplicate after a retry is allowed), and the run's end. */
    private static void assertCheckpointEvents(String runId, int epochs) {
        List<CloudEvent> events = pipeline.events(Topics.CHECKPOINTS, runId);
        assertThat(events).map(CloudEvent::data).filteredOn(CheckpointPublished.class::isInstance)
                .map(e -> ((CheckpointPublished) e).epoch()).containsAll(IntStream.rangeClosed(1, epochs).boxed().toList())
                .allMatch(e -> e >= 1 && e <= epochs);
        assertThat(events).map(CloudEvent::data).filteredOn(TrainingFinished.class::isInstance)
                .map(e -> ((TrainingFinished) e).status()).contains(TrainingFinished.Status.COMPLETED);
    }

    private static void awaitReadiness(ServiceProcess service, int status) throws InterruptedException {
        awaitStatus(service, "/q/health/ready", status);
    }

    private static void awaitStatus(ServiceProcess service, String path, int status) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int last = -2;
        while (System.nanoTime() < deadline) {
            last = service.status(path);
            if (last == status) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(service.service().module + " " + path + " stayed " + last + ", expected " + status);
    }

    private static void awaitLog(ServiceProcess service, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!service.tail(200).contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(service.service().module + " never logged '" + text + "':\n" + service.tail(30));
            }
            Thread.sleep(250);
        }
    }

    private static Predicate<JsonNode> finished() {
        return j -> !j.path("status").asText().matches("queued|running");
    }

    private static Predicate<JsonNode> finalStatus() {
        return r -> r.path("status").asText().matches("completed|failed|cancelled");
    }
}
