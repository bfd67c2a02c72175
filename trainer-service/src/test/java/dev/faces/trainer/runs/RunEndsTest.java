package dev.faces.trainer.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faces.core.ObjectStore;
import dev.faces.core.events.TrainingFinished;
import dev.faces.core.events.TrainingRequested;
import dev.faces.core.kafka.CloudEventProducer;
import dev.faces.stack.LocalStack;
import dev.faces.stack.LocalStackExtension;
import dev.faces.trainer.data.ShardCatalog;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A run saved final whose end never reached the broker (its trainer died, or lost the partition, while Kafka was
 * away) is announced by whoever owns its partition next, which records in run.json that the broker has it. A final
 * run whose end was announced is not announced again.
 */
@ExtendWith(LocalStackExtension.class)
class RunEndsTest {
    // A partition no other test's runs are on: the manager owns only it, and touches no other run in the bucket.
    private static final int PARTITION = 7;

    @Test
    void theNextOwnerAnnouncesAFinalRunWhoseEndNeverReachedTheBroker(LocalStack stack) throws Exception {
        ObjectStore s3 = new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1");
        RunStore runs = new RunStore(s3, dev.faces.core.ObjectKeys.CHECKPOINTS_BUCKET, RunLeaseTest.FAST);
        RunRecord pending = run("ends-pending").with(RunRecord.Status.cancelled, "cancelled during epoch 2");
        RunRecord announced = run("ends-announced").with(RunRecord.Status.completed, null).withEndAnnounced();
        assertThat(pending.endPending()).isTrue();
        runs.save(announced);
        runs.save(pending); // as the dead owner left it: final, its end pending

        List<TrainingFinished> sent = new CopyOnWriteArrayList<>();
        AtomicInteger refusals = new AtomicInteger(1); // Kafka is still away at the first attempt
        RunManager.Events events = e -> {
            if (refusals.getAndDecrement() > 0) {
                throw new CloudEventProducer.UnavailableException("broker away", null);
            }
            sent.add(e);
        };
        try (RunManager next = new RunManager(runs, s3, dev.faces.core.ObjectKeys.CHECKPOINTS_BUCKET,
                new ShardCatalog(id -> Optional.empty(), Duration.ofSeconds(1)), null, events,
                new RunManager.Settings(4, 3, 16, 0, Duration.ofMillis(200), Duration.ofSeconds(5), 1), "cpu()")) {
            next.start();
            next.assigned(List.of(PARTITION));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!runs.find(pending.runId()).orElseThrow().endAnnounced().equals(Boolean.TRUE)) {
                assertThat(System.nanoTime()).as("the pending end is announced; sent: %s", sent).isLessThan(deadline);
                Thread.sleep(100);
            }
            Thread.sleep(1000); // time enough to announce anything else it (wrongly) would
        }
        assertThat(sent).extracting(TrainingFinished::runId).containsExactly(pending.runId());
        assertThat(sent.get(0).status()).isEqualTo(TrainingFinished.Status.CANCELLED);
        assertThat(sent.get(0).reason()).isEqualTo("cancelled during epoch 2");
        RunRecord after = runs.find(pending.runId()).orElseThrow();
        assertThat(after.status()).as("a final run never trains again").isEqualTo(RunRecord.Status.cancelled);
        assertThat(runs.claim(pending.runId(), "another trainer").orElseThrow().lease())
                .as("announced: it is never claimed again").isNull();
    }

    private static RunRecord run(String prefix) {
        String runId = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        return RunRecord.queued(new TrainingRequested("d", runId, 3, 16, 2e-4, 0.5, 1L, null), PARTITION);
    }
}
