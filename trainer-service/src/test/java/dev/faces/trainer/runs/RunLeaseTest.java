package dev.faces.trainer.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.events.TrainingRequested;
import dev.faces.stack.LocalStack;
import dev.faces.stack.LocalStackExtension;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Run ownership fenced by the real S3 server's conditional writes: a superseded or lost lease writes nothing. */
@ExtendWith(LocalStackExtension.class)
class RunLeaseTest {
    static final String BUCKET = ObjectKeys.CHECKPOINTS_BUCKET;
    /** Writes valid 2 s, and 1 s for a body in flight: a run taken from a live owner waits 3 s. */
    static final RunLease.Timing FAST = new RunLease.Timing(java.time.Duration.ofSeconds(2),
            java.time.Duration.ofSeconds(1));

    @Test
    void aNewerOwnerFencesTheOlderOneOnEveryWrite(LocalStack stack) {
        ObjectStore s3 = store(stack);
        RunStore runs = new RunStore(s3, BUCKET, FAST);
        RunRecord queued = newRun(runs);
        String runId = queued.runId();
        String metrics = ObjectKeys.metricsLog(runId);

        RunStore.Claimed first = runs.claim(runId, "trainer A").orElseThrow();
        assertThat(first.lease().epoch()).isEqualTo(1);
        first.lease().put(metrics, bytes("A 1"), "text/plain");
        first.lease().save(first.run().with(RunRecord.Status.running, null));

        RunStore.Claimed second = runs.claim(runId, "trainer B").orElseThrow();
        assertThat(second.lease().epoch()).isEqualTo(2);
        assertThat(second.run().status()).isEqualTo(RunRecord.Status.running);

        // A does not know yet; the server refuses each of its writes, and nothing of A's lands
        String runJsonBefore = text(s3, ObjectKeys.runJson(runId));
        assertThatThrownBy(() -> first.lease().put(metrics, bytes("A 2"), "text/plain"))
                .isInstanceOf(FencedException.class).hasMessageContaining("lease 2 of trainer B holds it");
        assertThatThrownBy(() -> first.lease().save(first.run().with(RunRecord.Status.completed, null)))
                .isInstanceOf(FencedException.class);
        assertThatThrownBy(() -> first.lease().put(ObjectKeys.checkpointManifest(runId, 1), bytes("{}"), "application/json"))
                .isInstanceOf(FencedException.class);
        assertThat(text(s3, metrics)).isEqualTo("A 1");
        assertThat(text(s3, ObjectKeys.runJson(runId))).isEqualTo(runJsonBefore);
        assertThat(s3.exists(BUCKET, ObjectKeys.checkpointManifest(runId, 1))).isFalse();
        assertThat(first.lease().fencedReason()).isNotNull();

        // B writes on, over what A left
        second.lease().put(metrics, bytes("B 1"), "text/plain");
        second.lease().save(second.run().with(RunRecord.Status.completed, null));
        assertThat(text(s3, metrics)).isEqualTo("B 1");
        assertThat(s3.stat(BUCKET, metrics).orElseThrow().metadata()).containsEntry("lease-epoch", "2");
        RunStore.Claimed third = runs.claim(runId, "trainer C").orElseThrow();
        assertThat(third.lease()).as("a final run whose end is pending is claimed, to announce it").isNotNull();
        third.lease().save(third.run().withEndAnnounced());
        assertThat(runs.claim(runId, "trainer D").orElseThrow().lease()).as("an announced final run is never claimed")
                .isNull();
    }

    @Test
    void anObjectWrittenUnderANewerLeaseIsNeverOverwritten(LocalStack stack) {
        ObjectStore s3 = store(stack);
        RunStore runs = new RunStore(s3, BUCKET, FAST);
        String runId = newRun(runs).runId();
        RunLease older = runs.claim(runId, "trainer A").orElseThrow().lease();
        String key = ObjectKeys.generator(runId, 1);
        // what a newer owner wrote (the same run.json as A's, so only the object's own lease differs)
        s3.put(BUCKET, key, bytes("B's epoch 1"), "application/octet-stream", null,
                java.util.Map.of("lease-epoch", "2", "lease-owner", "trainer B"));
        assertThatThrownBy(() -> older.put(key, bytes("A's epoch 1"), "application/octet-stream"))
                .isInstanceOf(FencedException.class).hasMessageContaining("written under lease 2");
        assertThat(text(s3, key)).isEqualTo("B's epoch 1");
    }

    @Test
    void aLostPartitionWritesNothingAtAll(LocalStack stack) {
        ObjectStore s3 = store(stack);
        RunStore runs = new RunStore(s3, BUCKET, FAST);
        String runId = newRun(runs).runId();
        RunStore.Claimed claimed = runs.claim(runId, "trainer A").orElseThrow();
        String runJson = text(s3, ObjectKeys.runJson(runId));
        claimed.lease().lose("partition 1 was lost");
        String pointer = ObjectKeys.resumePointer(runId);
        assertThatThrownBy(() -> claimed.lease().put(pointer, bytes("{}"), "application/json"))
                .isInstanceOf(FencedException.class).hasMessageContaining("partition 1 was lost");
        assertThatThrownBy(() -> claimed.lease().save(claimed.run().with(RunRecord.Status.failed, "x")))
                .isInstanceOf(FencedException.class);
        assertThat(s3.exists(BUCKET, pointer)).isFalse();
        assertThat(text(s3, ObjectKeys.runJson(runId))).isEqualTo(runJson);
    }

    @Test
    void aDamagedRunJsonIsReportedNotDroppedInSilence(LocalStack stack) {
        ObjectStore s3 = store(stack);
        RunStore runs = new RunStore(s3, BUCKET, FAST);
        String good = newRun(runs).runId();
        String damaged = "damaged-" + UUID.randomUUID().toString().substring(0, 8);
        s3.put(BUCKET, ObjectKeys.runJson(damaged), bytes("{\"runId\": \"" + damaged + "\", "), "application/json");
        assertThat(runs.all()).extracting(RunRecord::runId).contains(good).doesNotContain(damaged);
        assertThat(runs.damaged()).containsKey(ObjectKeys.runJson(damaged));
        s3.delete(BUCKET, ObjectKeys.runJson(damaged));
        runs.all();
        assertThat(runs.damaged()).doesNotContainKey(ObjectKeys.runJson(damaged));
    }

    @Test
    void aConditionalPutRefusesAChangedObjectButNotItsOwnRetry(LocalStack stack) {
        ObjectStore s3 = store(stack);
        String key = "tests/conditional/" + UUID.randomUUID() + ".json";
        String etag = s3.put(BUCKET, key, bytes("one"), "text/plain", null, java.util.Map.of());
        assertThat(s3.put(BUCKET, key, bytes("one"), "text/plain", null, java.util.Map.of()))
                .as("the same bytes again: a retry of a PUT the server had carried out").isEqualTo(etag);
        assertThatThrownBy(() -> s3.put(BUCKET, key, bytes("two"), "text/plain", null, java.util.Map.of()))
                .isInstanceOf(ObjectStore.PreconditionFailedException.class);
        String next = s3.put(BUCKET, key, bytes("two"), "text/plain", etag, java.util.Map.of());
        assertThatThrownBy(() -> s3.put(BUCKET, key, bytes("three"), "text/plain", etag, java.util.Map.of()))
                .isInstanceOf(ObjectStore.PreconditionFailedException.class);
        assertThat(text(s3, key)).isEqualTo("two");
        assertThat(s3.stat(BUCKET, key).orElseThrow().etag()).isEqualTo(next);
    }

    static RunRecord newRun(RunStore runs) {
        String runId = "lease-" + UUID.randomUUID().toString().substring(0, 8);
        RunRecord run = RunRecord.queued(new TrainingRequested("d", runId, 1, 16, 2e-4, 0.5, 1L, null), 0);
        assertThat(runs.create(run)).isTrue();
        assertThat(runs.create(run.withPartition(2))).as("another replica creating the same run").isFalse();
        return run;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(ObjectStore s3, String key) {
        return new String(s3.get(BUCKET, key).orElseThrow(), StandardCharsets.UTF_8);
    }

    static ObjectStore store(LocalStack stack) {
        return new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1");
    }
}
