package dev.faces.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.Topics;
import dev.faces.core.events.CheckpointPublished;
import dev.faces.core.events.CloudEvent;
import dev.faces.core.events.EventCodec;
import dev.faces.core.events.TrainingFinished;
import dev.faces.stack.LocalStack;
import dev.faces.stack.SampleDatasets;
import dev.faces.stack.LocalStackExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged trainer as a real process, each start on an empty state directory as a new pod would: a run
 * requested over Kafka is killed with SIGKILL during its second epoch (it resumes from epoch 1's checkpoint),
 * stopped with SIGTERM during its third (it saves the step it reached and resumes from there), and still ends
 * with exactly the requested epochs.
 */
@ExtendWith(LocalStackExtension.class)
class TrainerResumeIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void aKilledTrainerResumesFromItsLastCheckpoint(LocalStack stack, @TempDir Path state) throws Exception {
        String dataset = "resume-" + UUID.randomUUID().toString().substring(0, 8);
        String runId = "run-" + dataset;
        SampleDatasets.publish(stack, dataset, 2, 40); // 80 images, 16 held back: 4 batches of 16 per epoch
        try (KafkaProducer<String, byte[]> producer = SampleDatasets.producer(stack)) {
            String structured = "{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID() + "\",\"source\":\"kcat\","
                    + "\"type\":\"faces.training.requested.v1\",\"data\":{\"datasetId\":\"" + dataset + "\",\"runId\":\""
                    + runId + "\",\"epochs\":3,\"batchSize\":16}}";
            producer.send(new ProducerRecord<>(Topics.TRAINING_REQUESTS, runId, structured.getBytes())).get();
        }

        int port = freePort();
        Trainer first = Trainer.start(stack, state, port, "first");
        awaitRun(port, runId, run -> run.path("epoch").asInt() == 2 && run.path("batch").asInt() >= 1, first);
        first.process.destroyForcibly().waitFor();
        assertThat(first.process.exitValue()).isEqualTo(137);

        Trainer second = Trainer.start(stack, state, port, "second");
        JsonNode stoppedAt = awaitRun(port, runId, run -> run.path("epoch").asInt() == 3 && run.path("batch").asInt() >= 1
                && run.path("batch").asInt() < run.path("batchesPerEpoch").asInt(), second);
        second.process.destroy(); // SIGTERM
        second.process.waitFor();
        assertThat(second.log()).contains("resumes at epoch 2 of 3").contains("stopped between steps (shutdown)");
        java.util.regex.Matcher saved = java.util.regex.Pattern.compile("resume state saved at epoch 3, batch (\\d+)")
                .matcher(second.log());
        assertThat(saved.find()).as("SIGTERM writes resume state:\n%s", second.log()).isTrue();
        int savedBatch = Integer.parseInt(saved.group(1));
        assertThat(savedBatch).isGreaterThanOrEqualTo(stoppedAt.path("batch").asInt());

        Trainer third = Trainer.start(stack, state, port, "third");
        JsonNode done = awaitRun(port, runId, run -> run.path("status").asText().equals("completed"), third);
        third.process.destroy();
        third.process.waitFor();
        assertThat(third.log()).contains("resumes at epoch 3 of 3 after batch " + savedBatch);
        assertThat(done.path("epochsDone").asInt()).isEqualTo(3);

        ObjectStore s3 = new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1");
        String metrics = new String(s3.get(ObjectKeys.CHECKPOINTS_BUCKET, ObjectKeys.metricsLog(runId)).orElseThrow(),
                StandardCharsets.UTF_8);
        List<Integer> epochLines = metrics.lines().filter(l -> l.contains("\"type\":\"epoch\""))
                .map(TrainerResumeIT::epochOf).toList();
        assertThat(epochLines).containsExactly(1, 2, 3);
        assertThat(s3.exists(ObjectKeys.CHECKPOINTS_BUCKET, ObjectKeys.epochMetrics(runId, 3))).isTrue();
        assertThat(s3.list(ObjectKeys.CHECKPOINTS_BUCKET, ObjectKeys.runPrefix(runId)))
                .noneMatch(k -> k.contains("epoch-0004"));

        List<CloudEvent> events = TrainingRunResourceTest.checkpointEvents(runId, 4);
        assertThat(events.stream().map(CloudEvent::data).filter(CheckpointPublished.class::isInstance)
                .map(e -> ((CheckpointPublished) e).epoch()).distinct().sorted().toList()).containsExactly(1, 2, 3);
        TrainingFinished finished = events.stream().map(CloudEvent::data).filter(TrainingFinished.class::isInstance)
                .map(TrainingFinished.class::cast).findFirst().orElseThrow();
        assertThat(finished.status()).isEqualTo(TrainingFinished.Status.COMPLETED);
        assertThat(finished.epochs()).isEqualTo(3);
    }

    private static JsonNode awaitRun(int port, String runId, Predicate<JsonNode> condition, Trainer trainer)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            if (!trainer.process.isAlive()) {
                throw new AssertionError("trainer exited early:\n" + trainer.log());
            }
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/api/training-runs/" + runId)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    last = EventCodec.json().readTree(r.body());
                    if (condition.test(last)) {
                        return last;
                    }
                }
            } catch (IOException notUpYet) {
                // the service is still starting
            }
            Thread.sleep(100);
        }
        throw new AssertionError("condition not reached; last state " + last + "\n" + trainer.log());
    }

    private record Trainer(Process process, Path logFile) {
        static Trainer start(LocalStack stack, Path state, int port, String name) throws IOException {
            Path jar = Path.of(System.getProperty("trainer.jar", "target/quarkus-app/quarkus-run.jar"));
            Path log = state.resolve(name + ".log");
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx1g", "-jar", jar.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers());
            pb.environment().put("S3_ENDPOINT", stack.s3Endpoint());
            // The packaged jar runs the prod profile, which has no development secrets of its own.
            dev.faces.stack.ServiceProcess.DEV_SECRETS.forEach(pb.environment()::putIfAbsent);
            pb.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
            // a state directory of its own: what a pod that restarts with an empty disk has
            pb.environment().put("TRAINER_STATE_DIR", state.resolve("trainer-" + name).toString());
            pb.environment().put("FACES_TRAINER_SWD_IMAGES", "16");
            return new Trainer(pb.start(), log);
        }

        String log() throws IOException {
            return Files.readString(logFile);
        }
    }

    private static int epochOf(String jsonLine) {
        try {
            return EventCodec.json().readTree(jsonLine).path("epoch").asInt();
        } catch (IOException e) {
            throw new AssertionError("bad metrics line " + jsonLine, e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
