package dev.faces.trainer.runs;

import static dev.faces.trainer.runs.RunLeaseTest.BUCKET;
import static dev.faces.trainer.runs.RunLeaseTest.FAST;
import static dev.faces.trainer.runs.RunLeaseTest.bytes;
import static dev.faces.trainer.runs.RunLeaseTest.newRun;
import static dev.faces.trainer.runs.RunLeaseTest.store;
import static dev.faces.trainer.runs.RunLeaseTest.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.stack.LocalStack;
import dev.faces.stack.LocalStackExtension;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The one window a per-object check leaves: a writer that froze after it found its lease holding and before its
 * PUT. Its write was signed before the check, so the real S3 server refuses it once it wakes after its validity.
 */
@ExtendWith(LocalStackExtension.class)
class FenceWindowTest {

    @Test
    void aWriterFrozenBetweenItsCheckAndItsPutIsRefusedByTheServer(LocalStack stack) throws Exception {
        ObjectStore s3 = store(stack);
        RunStore runs = new RunStore(s3, BUCKET, FAST);
        String runId = newRun(runs).runId();
        RunLease older = runs.claim(runId, "trainer A").orElseThrow().lease();
        String key = ObjectKeys.checkpointManifest(runId, 1);
        CountDownLatch checked = new CountDownLatch(1);
        CountDownLatch wake = new CountDownLatch(1);
        older.afterCheck = k -> {
            checked.countDown();
            await(wake); // frozen: run.json was A's, the object absent, and the PUT not sent yet
        };
        CompletableFuture<Void> frozen = CompletableFuture.runAsync(
                () -> older.put(key, bytes("A's epoch 1"), "application/json"));
        assertThat(checked.await(30, TimeUnit.SECONDS)).isTrue();

        RunLease newer = runs.claim(runId, "trainer B").orElseThrow().lease();
        assertThat(newer.epoch()).isEqualTo(2);
        Thread.sleep(FAST.writeValidity().toMillis() + 500); // A stays frozen past its write's validity
        older.afterCheck = k -> { };
        wake.countDown();

        assertThatThrownBy(frozen::join).hasCauseInstanceOf(FencedException.class)
                .hasMessageContaining("lease 2 of trainer B holds it");
        assertThat(s3.exists(BUCKET, key)).as("nothing of A's landed").isFalse();
        newer.put(key, bytes("B's epoch 1"), "application/json");
        assertThat(text(s3, key)).isEqualTo("B's epoch 1");
        assertThat(s3.stat(BUCKET, key).orElseThrow().metadata()).containsEntry("lease-epoch", "2");
    }

    @Test
    void aRunTakenFromAnOwnerThatMayBeAliveIsTouchedOnlyOnceItsWritesExpired(LocalStack stack) throws Exception {
        ObjectStore s3 = store(stack);
        RunStore runs = new RunStore(s3, BUCKET, FAST);
        RunRecord run = newRun(runs);
        RunLease first = runs.claim(run.runId(), "trainer A").orElseThrow().lease();
        assertThat(first.quietFrom()).as("a new run has no predecessor").isBeforeOrEqualTo(Instant.now());

        Instant claimed = Instant.now();
        RunStore.Claimed second = runs.claim(run.runId(), "trainer B").orElseThrow();
        RunLease taken = second.lease();
        assertThat(taken.quietFrom()).as("A did not release the run").isAfterOrEqualTo(claimed.plus(FAST.settle()));
        assertThat(taken.awaitQuiet(() -> true)).as("a stop while it waits").isFalse();
        RunLease impatient = runs.claim(run.runId(), "trainer X").orElseThrow().lease();
        impatient.release(second.run());
        assertThat(text(s3, ObjectKeys.runJson(run.runId()))).as("A may still write: X's release says nothing")
                .doesNotContain("released");
        RunLease retaken = runs.claim(run.runId(), "trainer B").orElseThrow().lease();
        String metrics = ObjectKeys.metricsLog(run.runId());
        retaken.put(metrics, bytes("B"), "text/plain");
        assertThat(Instant.now()).as("the first write waited").isAfterOrEqualTo(retaken.quietFrom());

        retaken.release(second.run());
        assertThat(text(s3, ObjectKeys.runJson(run.runId()))).contains("\"released\" : true");
        assertThatThrownBy(() -> retaken.put(metrics, bytes("B again"), "text/plain"))
                .as("a released lease writes nothing more").isInstanceOf(FencedException.class);
        RunLease afterRelease = runs.claim(run.runId(), "trainer C").orElseThrow().lease();
        assertThat(afterRelease.quietFrom()).as("B released it").isBeforeOrEqualTo(Instant.now());

        RunLease again = runs.claim(run.runId(), "trainer C").orElseThrow().lease();
        assertThat(again.quietFrom()).as("the same process, whose lease's worker is done")
                .isBeforeOrEqualTo(Instant.now());
        assertThat(again.epoch()).isEqualTo(6);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
