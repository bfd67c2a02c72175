package dev.faces.trainer.runs;

import dev.faces.core.CheckpointManifest;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.events.CheckpointPublished;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * Announces a run's checkpoints on {@code faces.checkpoints}, in epoch order, each built from its
 * {@code checkpoint.json} under a stable event id: a repeat after a crash or a broker outage is the same event.
 * {@code epochsAnnounced} in run.json says how far the broker has them; a run whose announcements lag (Kafka
 * was away at an epoch's end) catches up before it trains on.
 */
public final class CheckpointAnnouncer {
    private static final Logger LOG = Logger.getLogger(CheckpointAnnouncer.class.getName());

    /** Sends one checkpoint event; throws when the broker does not take it. */
    @FunctionalInterface
    public interface Publisher {
        void publish(String eventId, CheckpointPublished event);
    }

    private final ObjectStore store;
    private final String bucket;
    private final Publisher publisher;

    public CheckpointAnnouncer(ObjectStore store, String bucket, Publisher publisher) {
        this.store = store;
        this.bucket = bucket;
        this.publisher = publisher;
    }

    /**
     * Announces every written but unannounced checkpoint of the run.
     *
     * @param save records the new {@code epochsAnnounced} in run.json and returns the saved record
     * @return the run as saved after the last announcement
     */
    public RunRecord catchUp(RunRecord run, UnaryOperator<RunRecord> save) {
        RunRecord current = run;
        for (int epoch = run.announced() + 1; epoch <= run.epochsDone(); epoch++) {
            var manifest = store.get(bucket, ObjectKeys.checkpointManifest(run.runId(), epoch)).map(CheckpointManifest::parse);
            if (manifest.isEmpty()) {
                LOG.warning("run " + run.runId() + " epoch " + epoch + " has no checkpoint.json; it is not announced");
            } else {
                publisher.publish(manifest.get().eventId(), manifest.get().event());
                LOG.fine("run " + run.runId() + ": checkpoint of epoch " + epoch + " announced");
            }
            current = save.apply(current.withAnnounced(epoch));
        }
        return current;
    }
}
