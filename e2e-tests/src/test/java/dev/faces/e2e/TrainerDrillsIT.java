package dev.faces.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faces.core.CheckpointManifest;
import dev.faces.core.Digests;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.Topics;
import dev.faces.core.events.CheckpointPublished;
import dev.faces.core.events.CloudEvent;
import dev.faces.core.events.EventCodec;
import dev.faces.core.events.TrainingFinished;
import dev.faces.core.tensor.SafeTensor;
import dev.faces.core.tensor.SafeTensors;
import dev.faces.stack.JsonHttp;
import dev.faces.stack.LocalStack;
import dev.faces.stack.LocalStackExtension;
import dev.faces.stack.Ports;
import dev.faces.stack.SampleDatasets;
import dev.faces.stack.ServiceProcess;
import dev.faces.stack.ServiceProcess.Service;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The trainer as Kubernetes runs it, with packaged trainer processes on the real broker and S3: a pod that
 * restarts with an empty disk, two replicas sharing the runs, SIGTERM in the middle of an epoch, S3 away while a
 * request arrives, and a run that diverges. Each drill asserts that nothing was lost and nothing done twice.
 */
@ExtendWith(LocalStackExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainerDrillsIT {
    private static final String SMALL = "td-small";   // 80 images: 16 held back, 4 batches of 16 an epoch
    private static final String LONG = "td-long";     // 160 images: 9 batches of 16 an epoch
    private static LocalStack stack;
    private static Path dir;
    private static final Map<String, ServiceProcess> trainers = new LinkedHashMap<>();

    @BeforeAll
    static void datasets(LocalStack localStack) throws Exception {
        stack = localStack;
        dir = Files.createTempDirectory("trainer-drills-");
        SampleDatasets.publish(stack, SMALL, 2, 40);
        SampleDatasets.publish(stack, LONG, 4, 40);
    }

    @AfterAll
    static void stop() {
        trainers.values().forEach(ServiceProcess::stop);
    }

    @Test
    @Order(1)
    void aTrainerOnAnEmptyDiskResumesItsRunAndTrainsADatasetItNeverSawAnnounced() throws Exception {
        ServiceProcess first = trainer("t1");
        awaitPartitions(Map.of(first, 3));
        request("empty-disk", SMALL, 3, "");
        awaitRun(first, "empty-disk", r -> r.path("epoch").asInt() == 2 && r.path("batch").asInt() >= 1);
        // A dataset ingested while the first trainer runs: it consumes the events and commits past them.
        String late = "td-late";
        SampleDatasets.publish(stack, late, 1, 40);
        awaitLog(first, "dataset " + late + " complete");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!KafkaTopics.caughtUp(stack.bootstrapServers(), "trainer-service", Topics.DATASETS)) {
            assertThat(System.nanoTime()).as("the trainers' group commits the dataset events").isLessThan(deadline);
            Thread.sleep(500);
        }
        first.kill();

        ServiceProcess second = trainer("t2"); // a new pod: an empty state directory, the group past every event
        request("late-dataset", late, 1, "");
        JsonNode resumed = awaitRun(second, "empty-disk", finished());
        JsonNode trained = awaitRun(second, "late-dataset", finished());
        assertThat(resumed.path("status").asText()).as(second.tail(60)).isEqualTo("completed");
        assertThat(trained.path("status").asText()).as(second.tail(60)).isEqualTo("completed");
        assertThat(second.tail(400)).contains("run empty-disk resumes at epoch 2 of 3");
        assertThat(epochLines("empty-disk")).containsExactly(1, 2, 3);
        assertAnnouncedOnce("empty-disk", 3);
    }

    @Test
    @Order(2)
    void twoTrainersTrainTwoRunsAtOnceAndTheSurvivorFinishesTheOthersRun() throws Exception {
        ServiceProcess a = trainers.get("t2");
        ServiceProcess b = trainer("t3");
        awaitPartitions(Map.of(a, 1, b, 1));
        String runA = runIdOwnedBy(a, "pair-a");
        String runB = runIdOwnedBy(b, "pair-b");
        request(runA, SMALL, 3, "");
        request(runB, SMALL, 3, "");

        boolean together = false;
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!together && System.nanoTime() < deadline) {
            together = runA.equals(JsonHttp.get(a.url() + "/api/trainer").body().path("activeRun").asText())
                    && runB.equals(JsonHttp.get(b.url() + "/api/trainer").body().path("activeRun").asText());
            Thread.sleep(200);
        }
        assertThat(together).as("both runs train at once, one on each trainer").isTrue();
        awaitRun(b, runB, r -> r.path("epoch").asInt() >= 2 && r.path("batch").asInt() >= 1);
        b.kill(); // its partition, and so its run, moves to the survivor once the session times out

        assertThat(awaitRun(a, runA, finished()).path("status").asText()).isEqualTo("completed");
        assertThat(awaitRun(a, runB, finished()).path("status").asText()).as(a.tail(80)).isEqualTo("completed");
        assertThat(a.tail(600)).contains("run " + runB + " resumes at epoch")
                .as("the killed trainer never released its run: the survivor waits out its signed writes")
                .contains("run " + runB + ": its previous owner did not release it");
        for (String run : List.of(runA, runB)) {
            assertThat(epochLines(run)).as(run).containsExactly(1, 2, 3);
            assertAnnouncedOnce(run, 3);
        }
    }

    @Test
    @Order(3)
    void sigtermMidEpochResumesFromTheSavedStepWithTheUninterruptedWeights() throws Exception {
        ServiceProcess t = trainers.get("t2");
        request("sigterm-ref", LONG, 1, "");
        assertThat(awaitRun(t, "sigterm-ref", finished()).path("status").asText()).isEqualTo("completed");

        request("sigterm", LONG, 1, "");
        awaitRun(t, "sigterm", r -> r.path("batch").asInt() >= 2 && r.path("batch").asInt() <= 6);
        t.stop(); // SIGTERM
        Matcher saved = Pattern.compile("run sigterm: resume state saved at epoch 1, batch (\\d+)").matcher(t.tail(300));
        assertThat(saved.find()).as("SIGTERM writes resume state:\n%s", t.tail(40)).isTrue();
        t.start().awaitUp(Duration.ofMinutes(1));
        assertThat(awaitRun(t, "sigterm", finished()).path("status").asText()).isEqualTo("completed");
        assertThat(t.tail(300)).contains("run sigterm resumes at epoch 1 of 1 after batch " + saved.group(1))
                .as("a released run is resumed at once").doesNotContain("run sigterm: its previous owner did not");
        assertSameWeights(ObjectKeys.generator("sigterm", 1), ObjectKeys.generator("sigterm-ref", 1));
        assertSameWeights(ObjectKeys.discriminator("sigterm", 1), ObjectKeys.discriminator("sigterm-ref", 1));
    }

    @Test
    @Order(4)
    void s3AwayWhileARequestArrivesLosesNothing() throws Exception {
        ServiceProcess t = trainers.get("t2");
        stack.s3().close();
        try {
            request("s3-away", SMALL, 1, "");
            awaitLog(t, "waits:");
            Thread.sleep(6000); // twice the trainer's S3 retry budget
            assertThat(KafkaTopics.records(stack.bootstrapServers(), Topics.deadLetter(Topics.TRAINING_REQUESTS),
                    "s3-away")).as("a valid request is never dead-lettered").isEmpty();
        } finally {
            stack.s3().start();
        }
        assertThat(awaitRun(t, "s3-away", finished()).path("status").asText()).isEqualTo("completed");
        assertAnnouncedOnce("s3-away", 1);
    }

    /** A poisoned warm start: run poison-src's checkpoint is sigterm-ref's with one NaN weight in D. */
    @Test
    @Order(5)
    void aRunDrivenToNonFiniteLossesFailsAndPublishesNothing() throws Exception {
        ServiceProcess t = trainers.get("t2");
        ObjectStore s3 = s3();
        String bucket = ObjectKeys.CHECKPOINTS_BUCKET;
        s3.put(bucket, ObjectKeys.generator("poison-src", 1), object(ObjectKeys.generator("sigterm-ref", 1)), "application/octet-stream");
        s3.put(bucket, ObjectKeys.optimizer("poison-src", 1), object(ObjectKeys.optimizer("sigterm-ref", 1)), "application/octet-stream");
        SafeTensors.Contents d = SafeTensors.read(object(ObjectKeys.discriminator("sigterm-ref", 1)));
        Map<String, SafeTensor> poisoned = new LinkedHashMap<>(d.tensors());
        float[] w = poisoned.get("main.0.weight").floats().clone();
        w[0] = Float.NaN;
        poisoned.put("main.0.weight", SafeTensor.f32(w, poisoned.get("main.0.weight").shape()));
        s3.put(bucket, ObjectKeys.discriminator("poison-src", 1), SafeTensors.write(poisoned, d.metadata()), "application/octet-stream");
        ObjectNode run = (ObjectNode) EventCodec.json().readTree(object(ObjectKeys.runJson("sigterm-ref")));
        run.put("runId", "poison-src");
        ((ObjectNode) run.get("request")).put("runId", "poison-src");
        s3.put(bucket, ObjectKeys.runJson("poison-src"), run.toString().getBytes(StandardCharsets.UTF_8), "application/json");

        request("poisoned", SMALL, 2, ",\"resumeFrom\":\"poison-src\"");
        JsonNode failed = awaitRun(t, "poisoned", finished());
        assertThat(failed.path("status").asText()).isEqualTo("failed");
        assertThat(failed.path("reason").asText()).startsWith("diverged: non-finite loss at epoch 1, step 1");
        assertThat(s3.list(bucket, ObjectKeys.runPrefix("poisoned"))).noneMatch(k -> k.contains("epoch-"));
        List<CloudEvent> events = KafkaTopics.events(stack.bootstrapServers(), Topics.CHECKPOINTS, "poisoned");
        assertThat(events).map(CloudEvent::data).noneMatch(CheckpointPublished.class::isInstance);
        assertThat(events).map(CloudEvent::data).filteredOn(TrainingFinished.class::isInstance)
                .map(e -> ((TrainingFinished) e).status()).containsExactly(TrainingFinished.Status.FAILED);
    }

    /**
     * A trainer frozen (SIGSTOP) in the middle of a run for longer than its session timeout: the other trainer
     * takes the run over with a newer lease and finishes it; the frozen one, woken, is fenced by the storage and
     * writes nothing, so every epoch's checkpoint.json still matches its objects a minute later.
     */
    @Test
    @Order(6)
    void aTrainerThatWakesFromAFreezeCannotTouchTheRunItLost() throws Exception {
        ServiceProcess survivor = trainers.containsKey("t2") ? trainers.get("t2") : trainer("t2"); // also run alone
        ServiceProcess frozen = trainer("t6");
        awaitPartitions(Map.of(survivor, 1, frozen, 1));
        String runId = runIdOwnedBy(frozen, "freeze");
        request(runId, SMALL, 3, "");
        awaitRun(frozen, runId, r -> r.path("epoch").asInt() == 2 && r.path("batch").asInt() >= 1);
        frozen.signal("STOP");
        try {
            awaitLog(survivor, "run " + runId + " taken with lease 2");
        } finally {
            frozen.signal("CONT");
        }
        long woke = System.nanoTime();
        JsonNode done = awaitRun(survivor, runId, finished());
        assertThat(done.path("status").asText()).as(survivor.tail(80)).isEqualTo("completed");
        awaitLog(frozen, "fenced");
        Thread.sleep(Math.max(0, Duration.ofSeconds(60).toMillis() - (System.nanoTime() - woke) / 1_000_000));

        assertThat(epochLines(runId)).containsExactly(1, 2, 3);
        assertAnnouncedOnce(runId, 3);
        for (int epoch = 1; epoch <= 3; epoch++) {
            CheckpointManifest manifest = CheckpointManifest.parse(object(ObjectKeys.checkpointManifest(runId, epoch)));
            for (CheckpointManifest.Entry entry : manifest.objects()) {
                byte[] stored = object(entry.key());
                assertThat((long) stored.length).as(entry.key()).isEqualTo(entry.bytes());
                assertThat(Digests.sha256(stored)).as(entry.key()).isEqualTo(entry.sha256());
            }
        }
        assertThat(frozen.tail(400)).as("the woken trainer says it was fenced").contains("fenced");
        assertThat(survivor.tail(800)).as("the survivor touched the run only once the frozen one's writes expired")
                .contains("run " + runId + ": its previous owner did not release it and may still be alive; lease 2"
                        + " waits 3");
        assertThat(JsonHttp.get(survivor.url() + "/api/training-runs/" + runId).body().path("status").asText())
                .isEqualTo("completed");
    }

    // --- helpers ----------------------------------------------------------------------------------

    private static ServiceProcess trainer(String name) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers());
        env.put("S3_ENDPOINT", stack.s3Endpoint());
        env.put("S3_ACCESS_KEY", stack.accessKey());
        env.put("S3_SECRET_KEY", stack.secretKey());
        env.put("TRAINER_STATE_DIR", Files.createDirectories(dir.resolve(name)).toString()); // empty, as a new pod's
        env.put("TRAINER_THREADS", "1");
        // oneMKL (inside libtorch) may round differently with the memory alignment of its operands, and Adam's
        // first steps turn such a rounding into a +-lr step for near-zero gradients: conditional numerical
        // reproducibility makes two runs of the same request agree, which the SIGTERM drill compares.
        env.put("MKL_CBWR", "AUTO,STRICT");
        env.put("FACES_TRAINER_SWD_IMAGES", "16");
        env.put("FACES_TRAINER_CALIBRATION_BATCHES", "1"); // one BN batch at each epoch's end: 5 s, not 25, on 1 thread
        env.put("FACES_S3_RETRY_SECONDS", "3");
        env.put("FACES_TRAINER_PAUSE_SECONDS", "3");
        // a run taken from a killed or frozen trainer waits 3 s of write validity and S3Proxy's 30 s idle timeout
        env.put("FACES_TRAINER_FENCE_WRITE_VALIDITY_SECONDS", "3");
        Path logs = Files.createDirectories(Path.of("target", "e2e-logs", "trainer-drills").toAbsolutePath());
        ServiceProcess p = ServiceProcess.start(Service.TRAINER, Service.TRAINER.jar(Pipeline.ROOT), Ports.free(), env,
                logs.resolve(name + ".log"));
        trainers.put(name, p);
        return p.awaitUp(Duration.ofMinutes(2));
    }

    private static void request(String runId, String dataset, int epochs, String extra) throws Exception {
        KafkaTopics.requestTraining(stack.bootstrapServers(), runId, "{\"datasetId\":\"" + dataset + "\",\"runId\":\""
                + runId + "\",\"epochs\":" + epochs + ",\"batchSize\":16" + extra + "}");
    }

    /** Waits until each trainer owns at least the given number of partitions, and together all of them. */
    private static void awaitPartitions(Map<ServiceProcess, Integer> atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            Set<Integer> all = new TreeSet<>();
            boolean enough = true;
            for (var e : atLeast.entrySet()) {
                Set<Integer> owned = partitions(e.getKey());
                enough &= owned.size() >= e.getValue();
                all.addAll(owned);
            }
            if (enough && all.size() == Topics.PARTITIONS) {
                return;
            }
            assertThat(System.nanoTime()).as("partitions assigned: %s", all).isLessThan(deadline);
            Thread.sleep(300);
        }
    }

    private static Set<Integer> partitions(ServiceProcess t) {
        JsonHttp.Reply r = JsonHttp.get(t.url() + "/api/trainer");
        Set<Integer> out = new TreeSet<>();
        if (r.ok()) {
            r.body().path("partitions").forEach(p -> out.add(p.asInt()));
        }
        return out;
    }

    /** A run id whose partition (murmur2 of the key, as producers choose it) the trainer owns. */
    private static String runIdOwnedBy(ServiceProcess t, String prefix) {
        Set<Integer> owned = partitions(t);
        for (int i = 0; ; i++) {
            String id = prefix + "-" + i;
            if (owned.contains(Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % Topics.PARTITIONS)) {
                return id;
            }
        }
    }

    private static JsonNode awaitRun(ServiceProcess t, String runId, Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            if (!t.isRunning()) {
                throw new AssertionError("trainer exited:\n" + t.tail(60));
            }
            JsonHttp.Reply r = JsonHttp.get(t.url() + "/api/training-runs/" + runId);
            if (r.ok() && r.body() != null) {
                last = r.body();
                if (condition.test(last)) {
                    return last;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("run " + runId + ": condition not reached; last " + last + "\n" + t.tail(60));
    }

    private static Predicate<JsonNode> finished() {
        return r -> r.path("status").asText().matches("completed|failed|cancelled");
    }

    private static void awaitLog(ServiceProcess t, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!t.tail(400).contains(text)) {
            assertThat(System.nanoTime()).as("log line '%s':\n%s", text, t.tail(30)).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    /** The epochs of metrics.jsonl's epoch lines, in order: each exactly once. */
    private static List<Integer> epochLines(String runId) throws Exception {
        String metrics = new String(object(ObjectKeys.metricsLog(runId)), StandardCharsets.UTF_8);
        return metrics.lines().filter(l -> l.contains("\"type\":\"epoch\"")).map(l -> {
            try {
                return EventCodec.json().readTree(l).path("epoch").asInt();
            } catch (java.io.IOException e) {
                throw new AssertionError(l, e);
            }
        }).toList();
    }

    /** Every epoch announced, and a repeat (after a crash) the same event: one event id and digest per epoch. */
    private static void assertAnnouncedOnce(String runId, int epochs) {
        List<CloudEvent> events = KafkaTopics.events(stack.bootstrapServers(), Topics.CHECKPOINTS, runId);
        Map<Integer, Set<String>> byEpoch = events.stream().filter(e -> e.data() instanceof CheckpointPublished)
                .collect(Collectors.groupingBy(e -> ((CheckpointPublished) e.data()).epoch(), java.util.TreeMap::new,
                        Collectors.mapping(e -> e.id() + "/" + ((CheckpointPublished) e.data()).generator().sha256(),
                                Collectors.toSet())));
        assertThat(byEpoch.keySet()).as(runId).containsExactlyElementsOf(
                java.util.stream.IntStream.rangeClosed(1, epochs).boxed().toList());
        assertThat(byEpoch.values()).as("one distinct announcement per epoch of %s", runId).allMatch(s -> s.size() == 1);
    }

    private static void assertSameWeights(String actualKey, String expectedKey) {
        SafeTensors.Contents a = SafeTensors.read(object(actualKey));
        SafeTensors.Contents e = SafeTensors.read(object(expectedKey));
        for (var entry : e.tensors().entrySet()) {
            SafeTensor t = a.require(entry.getKey());
            if (t.dtype() == SafeTensor.DType.I64) {
                assertThat(t.longs()).as(entry.getKey()).containsExactly(entry.getValue().longs());
                continue;
            }
            float[] af = t.floats();
            float[] ef = entry.getValue().floats();
            for (int i = 0; i < ef.length; i += 97) { // the tolerance and sampling of ResumeEquivalenceTest
                assertThat(af[i]).as("%s %s[%d]", actualKey, entry.getKey(), i).isCloseTo(ef[i], within(1e-6f));
            }
        }
    }

    private static byte[] object(String key) {
        return s3().get(ObjectKeys.CHECKPOINTS_BUCKET, key).orElseThrow(() -> new AssertionError(key + " is missing"));
    }

    private static ObjectStore s3() {
        return new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1", Duration.ofSeconds(30));
    }
}
