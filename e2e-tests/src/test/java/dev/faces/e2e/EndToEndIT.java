package dev.faces.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faces.core.CheckpointManifest;
import dev.faces.core.Digests;
import dev.faces.core.ObjectKeys;
import dev.faces.core.Topics;
import dev.faces.core.events.CheckpointPublished;
import dev.faces.core.events.CloudEvent;
import dev.faces.core.events.EventCodec;
import dev.faces.core.tensor.SafeTensor;
import dev.faces.core.tensor.SafeTensors;
import dev.faces.stack.LocalStack;
import dev.faces.stack.LocalStackExtension;
import dev.faces.stack.ServiceProcess.Service;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole pipeline as a user runs it: the three packaged services as processes on the real broker and S3.
 * A sample is ingested, training starts by itself, its checkpoint is served; a corrupt newer checkpoint is
 * rejected, a restarted generator serves the newest valid one again, and the README's kcat one-liner starts a
 * retraining whose checkpoint event arrives and is served.
 */
@ExtendWith(LocalStackExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String DATASET = "e2e-faces";
    private static final String AUTO_RUN = "auto-" + DATASET;
    private static final String HELD = "e2e-held";
    private static Pipeline pipeline;
    private static String servedVersion;

    @BeforeAll
    static void start(LocalStack stack) throws Exception {
        pipeline = Pipeline.start(stack, "end-to-end", Map.of(Service.TRAINER, Map.of("AUTO_TRAIN", "true",
                "AUTO_TRAIN_EPOCHS", "1", "FACES_TRAINER_SWD_IMAGES", "16",
                "FACES_TRAINER_CALIBRATION_BATCHES", "1"),
                // the drill hook: holds this one dataset's ingest between its manifest and its completed event
                Service.INGEST, Map.of("FACES_INGEST_DRILL_HOLD_DATASET", HELD, "FACES_INGEST_DRILL_HOLD_MS", "600000")));
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    @Order(1)
    void aSampleIsIngestedTrainedOnAndServed() throws Exception {
        String job = pipeline.ingest(pipeline.sample("sample", 320, 7), DATASET);
        JsonNode done = pipeline.await(job, j -> !j.path("status").asText().matches("queued|running"),
                Duration.ofMinutes(2));
        assertThat(done.path("status").asText()).isEqualTo("completed");
        assertThat(done.path("processed").asInt()).isEqualTo(320);
        assertThat(done.path("rejected").asInt()).isZero();
        JsonNode manifest = EventCodec.json().readTree(pipeline.readObject(ObjectKeys.DATASETS_BUCKET,
                ObjectKeys.manifest(DATASET)));
        assertThat(manifest.path("imageCount").asInt()).isEqualTo(320);

        JsonNode run = pipeline.await(pipeline.services.trainer().url() + "/api/training-runs/" + AUTO_RUN,
                r -> r.path("status").asText().matches("completed|failed|cancelled"), Duration.ofMinutes(5));
        assertThat(run.path("status").asText()).as(pipeline.logs()).isEqualTo("completed");
        assertThat(run.path("epochsDone").asInt()).isEqualTo(1);
        String checkpointKey = run.path("lastCheckpointKey").asText();
        assertThat(pipeline.s3().exists(ObjectKeys.CHECKPOINTS_BUCKET, ObjectKeys.generator(AUTO_RUN, 1))).isTrue();
        assertThat(checkpointKey).startsWith(ObjectKeys.epochPrefix(AUTO_RUN, 1));

        servedVersion = ObjectKeys.modelVersion(AUTO_RUN, 1);
        pipeline.await(pipeline.services.generator().url() + "/api/models/current",
                m -> m.path("version").asText().equals(servedVersion), Duration.ofSeconds(60));
        assertFaceServedBy(servedVersion);

        List<CloudEvent> events = pipeline.events(Topics.CHECKPOINTS, AUTO_RUN);
        assertThat(events).map(CloudEvent::data).filteredOn(CheckpointPublished.class::isInstance)
                .map(e -> ((CheckpointPublished) e).generator().key())
                .containsExactly(ObjectKeys.generator(AUTO_RUN, 1));
    }

    @Test
    @Order(2)
    void aCorruptCheckpointIsRejectedAndARestartedGeneratorServesTheNewestValidOneAgain() throws Exception {
        var generator = pipeline.services.generator();
        // C: newer than the served checkpoint, complete and well-formed, but its generator is not the one whose
        // sha256 its checkpoint.json and its event list (one weight differs): only the digest is wrong.
        String corruptRun = "e2e-corrupt";
        var s3 = pipeline.s3();
        byte[] served = s3.get(ObjectKeys.CHECKPOINTS_BUCKET, ObjectKeys.generator(AUTO_RUN, 1)).orElseThrow();
        SafeTensors.Contents weights = SafeTensors.read(served);
        Map<String, SafeTensor> changed = new java.util.LinkedHashMap<>(weights.tensors());
        float[] w = changed.get("main.0.weight").floats().clone();
        w[0] += 0.5f;
        changed.put("main.0.weight", SafeTensor.f32(w, changed.get("main.0.weight").shape()));
        byte[] other = SafeTensors.write(changed, weights.metadata());
        assertThat(other).hasSameSizeAs(served);
        s3.put(ObjectKeys.CHECKPOINTS_BUCKET, ObjectKeys.generator(corruptRun, 1), other, "application/octet-stream");
        CheckpointManifest a = CheckpointManifest.parse(s3.get(ObjectKeys.CHECKPOINTS_BUCKET,
                ObjectKeys.checkpointManifest(AUTO_RUN, 1)).orElseThrow());
        CheckpointManifest cm = new CheckpointManifest(corruptRun, a.datasetId(), 1, a.step(),
                List.of(new CheckpointManifest.Entry(ObjectKeys.generator(corruptRun, 1), served.length,
                        Digests.sha256(served))), a.metrics(), a.swdFloor(), a.swdImages(), false);
        s3.put(ObjectKeys.CHECKPOINTS_BUCKET, ObjectKeys.checkpointManifest(corruptRun, 1), cm.toJson(), "application/json");
        CheckpointPublished c = cm.event();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.stack.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.CHECKPOINTS, corruptRun,
                    EventCodec.toStructured(CloudEvent.of("/e2e-tests", c)))).get();
        }
        JsonNode models = pipeline.await(generator.url() + "/api/models", m -> m.path("failedLoads").asLong() >= 1,
                Duration.ofSeconds(60));
        assertThat(models.path("current").asText()).isEqualTo(servedVersion);
        assertThat(models.path("models").findValuesAsText("reason")).anyMatch(r -> r.contains("sha256 mismatch"));
        assertFaceServedBy(servedVersion);

        generator.stop();
        assertThat(generator.isRunning()).isFalse();
        generator.start().awaitUp(Duration.ofMinutes(1));
        pipeline.await(generator.url() + "/api/models/current",
                m -> m.path("version").asText().equals(servedVersion), Duration.ofSeconds(60));
        assertFaceServedBy(servedVersion);
        assertThat(generator.status("/q/health/ready")).isEqualTo(200);
    }

    @Test
    @Order(3)
    void theReadmesKcatOneLinerStartsARetraining() throws Exception {
        String runId = "e2e-retrain";
        String command = readmeKcatCommand()
                .replace("\"datasetId\":\"celeba\"", "\"datasetId\":\"" + DATASET + "\"")
                .replace("celeba-2", runId).replace("\"epochs\":5", "\"epochs\":1")
                .replace("localhost:9092", pipeline.stack.bootstrapServers());
        assertThat(command).contains(runId).contains(DATASET).contains("\"epochs\":1");
        run(command);

        JsonNode run = pipeline.await(pipeline.services.trainer().url() + "/api/training-runs/" + runId,
                r -> r.path("status").asText().matches("completed|failed|cancelled"), Duration.ofMinutes(5));
        assertThat(run.path("status").asText()).isEqualTo("completed");
        assertThat(run.path("request").path("datasetId").asText()).isEqualTo(DATASET);

        // The README's way of watching checkpoints, with -o beginning -e so that it ends.
        String watched = run(readmeWatchCommand().replace("localhost:9092", pipeline.stack.bootstrapServers())
                + " -o beginning -e");
        assertThat(watched.lines().filter(l -> l.startsWith(runId + " ")))
                .anyMatch(l -> l.contains("ce_type=faces.checkpoint.published.v1")
                        && l.contains(ObjectKeys.generator(runId, 1)));
        pipeline.await(pipeline.services.generator().url() + "/api/models/current",
                m -> m.path("version").asText().equals(ObjectKeys.modelVersion(runId, 1)), Duration.ofSeconds(60));
    }

    private static void assertFaceServedBy(String version) throws Exception {
        HttpResponse<byte[]> face = HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.services.generator().url()
                + "/api/faces/1.png")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(face.statusCode()).isEqualTo(200);
        assertThat(face.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(face.headers().firstValue("X-Model-Version")).hasValue(version);
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(face.body()));
        assertThat(png.getWidth()).isEqualTo(64);
        assertThat(png.getHeight()).isEqualTo(64);
    }

    @Test
    @Order(4)
    void anIngestKilledBetweenItsManifestAndItsCompletedEventStillStartsTraining() throws Exception {
        var ingest = pipeline.services.ingest();
        pipeline.ingest(pipeline.sample("held", 64, 5), HELD);
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!ingest.tail(100).contains("drill hook: manifest written")) {
            assertThat(System.nanoTime()).as("the ingest reaches the hook:\n%s", ingest.tail(20)).isLessThan(deadline);
            Thread.sleep(200);
        }
        assertThat(pipeline.s3().exists(ObjectKeys.DATASETS_BUCKET, ObjectKeys.manifest(HELD))).isTrue();
        ingest.kill(); // the manifest is written, the completed event never sent
        assertThat(pipeline.events(Topics.DATASETS, HELD)).map(CloudEvent::data)
                .noneMatch(dev.faces.core.events.DatasetCompleted.class::isInstance);

        ingest.start().awaitUp(Duration.ofMinutes(1)); // nobody asks again: the saved request announces it
        JsonNode run = pipeline.await(pipeline.services.trainer().url() + "/api/training-runs/auto-" + HELD,
                r -> r.path("status").asText().matches("completed|failed|cancelled"), Duration.ofMinutes(4));
        assertThat(run.path("status").asText()).as(pipeline.logs()).isEqualTo("completed");
        assertThat(ingest.tail(300)).contains("announcing again the completed ingest of " + HELD);
        assertThat(pipeline.events(Topics.DATASETS, HELD)).map(CloudEvent::data)
                .filteredOn(dev.faces.core.events.DatasetCompleted.class::isInstance).hasSize(1);
    }

    /** The README's two-line "echo '{...}' | kcat ... -P" command. */
    static String readmeKcatCommand() throws Exception {
        Matcher m = Pattern.compile("(echo '\\{\"specversion\".*?\\\\\\n.*?-P)\\n").matcher(readme());
        assertThat(m.find()).as("README has the kcat one-liner").isTrue();
        return m.group(1);
    }

    static String readmeWatchCommand() throws Exception {
        Matcher m = Pattern.compile("(kcat -b localhost:9092 -t faces.checkpoints -C [^#\\n]*?)\\s*#").matcher(readme());
        assertThat(m.find()).as("README shows how to watch faces.checkpoints").isTrue();
        return m.group(1);
    }

    private static String readme() throws Exception {
        return Files.readString(Pipeline.ROOT.resolve("README.md"), StandardCharsets.UTF_8);
    }

    /** Runs a shell command as a person would; kcat must be installed (.ci/run installs it). */
    private static String run(String command) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s\n%s", command, out).isZero();
        return out;
    }
}
