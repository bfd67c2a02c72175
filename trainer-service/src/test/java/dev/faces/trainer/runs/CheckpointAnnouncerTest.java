package dev.faces.trainer.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faces.core.CheckpointManifest;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.events.CheckpointPublished;
import dev.faces.core.events.TrainingRequested;
import dev.faces.core.kafka.CloudEventProducer;
import dev.faces.stack.LocalStack;
import dev.faces.stack.LocalStackExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Kafka away at an epoch's end: the checkpoint is announced later, once, and as the same event. */
@ExtendWith(LocalStackExtension.class)
class CheckpointAnnouncerTest {
    private static final String BUCKET = ObjectKeys.CHECKPOINTS_BUCKET;

    @Test
    void anAnnouncementTheBrokerDidNotTakeIsMadeLaterUnderTheSameId(LocalStack stack) {
        ObjectStore s3 = new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1");
        String runId = "announce-" + UUID.randomUUID().toString().substring(0, 8);
        for (int epoch = 1; epoch <= 2; epoch++) {
            CheckpointManifest m = new CheckpointManifest(runId, "ds", epoch, epoch * 10L,
                    List.of(CheckpointManifest.Entry.of(ObjectKeys.generator(runId, epoch), ("g" + epoch).getBytes())),
                    new CheckpointPublished.Metrics(1.0, 2.0, 0.5, 0.4, 0.3, 100.0 + epoch, 50.0), 10.0, 512, false);
            s3.put(BUCKET, ObjectKeys.checkpointManifest(runId, epoch), m.toJson(), "application/json");
        }
        List<String> published = new ArrayList<>();
        AtomicBoolean brokerAway = new AtomicBoolean(true);
        CheckpointAnnouncer announcer = new CheckpointAnnouncer(s3, BUCKET, (id, event) -> {
            if (event.epoch() == 2 && brokerAway.get()) {
                throw new CloudEventProducer.UnavailableException("Kafka did not take it", null);
            }
            published.add(id + " epoch " + event.epoch() + " " + event.generator().sha256().substring(0, 8));
        });
        List<RunRecord> saved = new ArrayList<>();
        RunRecord run = RunRecord.queued(TrainingRequested.forDataset("ds").withRunId(runId), 0)
                .withCheckpoint(2, 20, ObjectKeys.generator(runId, 2), false);

        assertThatThrownBy(() -> announcer.catchUp(run, r -> {
            saved.add(r);
            return r;
        })).isInstanceOf(CloudEventProducer.UnavailableException.class);
        assertThat(saved).extracting(RunRecord::announced).containsExactly(1);

        brokerAway.set(false);
        RunRecord after = announcer.catchUp(saved.get(0), r -> r);
        assertThat(after.announced()).isEqualTo(2);
        String epoch2Id = CheckpointManifest.parse(s3.get(BUCKET, ObjectKeys.checkpointManifest(runId, 2)).orElseThrow())
                .eventId();
        assertThat(published).hasSize(2);
        assertThat(published.get(1)).startsWith(epoch2Id + " epoch 2");
        assertThat(announcer.catchUp(after, r -> r)).as("nothing left to announce").isEqualTo(after);
        assertThat(published).hasSize(2);
    }
}
