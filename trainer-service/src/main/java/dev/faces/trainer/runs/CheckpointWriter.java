package dev.faces.trainer.runs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faces.core.Digests;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.events.CheckpointPublished;
import dev.faces.core.events.EventCodec;
import dev.faces.trainer.gan.TrainingListener;
import dev.faces.trainer.gan.TrainingLoop;
import java.util.function.Consumer;

/**
 * Writes an epoch's checkpoint (DESIGN §4), then records it in run.json, then announces it. An event is
 * published only for a complete checkpoint; a trainer killed before the event re-announces the checkpoint
 * when it resumes, and consumers ignore the duplicate.
 */
public final class CheckpointWriter implements TrainingListener {
    private static final String OCTETS = "application/octet-stream";
    private final ObjectStore store;
    private final String bucket;
    private final RunRecords runs;
    private final DivergenceAlarm alarm;
    private final Consumer<CheckpointPublished> publish;

    /** Where run.json changes go (the manager keeps its in-memory view in step). */
    public interface RunRecords {
        RunRecord current();

        void save(RunRecord updated);
    }

    public CheckpointWriter(ObjectStore store, String bucket, RunRecords runs, DivergenceAlarm alarm,
                            Consumer<CheckpointPublished> publish) {
        this.store = store;
        this.bucket = bucket;
        this.runs = runs;
        this.alarm = alarm;
        this.publish = publish;
    }

    @Override
    public void onEpoch(EpochInfo e) {
        RunRecord run = runs.current();
        String runId = run.runId();
        int epoch = e.epoch();
        TrainingLoop.Snapshot s = e.snapshot();
        store.put(bucket, ObjectKeys.generator(runId, epoch), s.generator(), OCTETS);
        store.put(bucket, ObjectKeys.discriminator(runId, epoch), s.discriminator(), OCTETS);
        store.put(bucket, ObjectKeys.optimizer(runId, epoch), s.optimizer(), OCTETS);
        store.put(bucket, ObjectKeys.samples(runId, epoch), s.samplesPng(), "image/png");
        CheckpointPublished.Metrics metrics = new CheckpointPublished.Metrics((double) e.last().lossD(),
                (double) e.last().lossG(), (double) e.last().dx(), (double) e.last().dgz1(), (double) e.last().dgz2(),
                finite(e.swd()), e.imagesPerSecond());
        ObjectNode json = EventCodec.json().valueToTree(metrics);
        json.put("epoch", epoch);
        json.put("step", e.globalStep());
        MetricsLog.putNumber(json, "swdFloor", e.swdFloor());
        json.put("diverging", alarm.isDiverging());
        // metrics.json is written last: its presence marks the checkpoint complete.
        store.put(bucket, ObjectKeys.epochMetrics(runId, epoch), json.toString().getBytes(), "application/json");

        runs.save(run.withCheckpoint(epoch, e.globalStep(), ObjectKeys.generator(runId, epoch), alarm.isDiverging()));
        publish.accept(event(run, epoch, e.globalStep(), s.generator(), metrics));
    }

    static CheckpointPublished event(RunRecord run, int epoch, long step, byte[] generator,
                                     CheckpointPublished.Metrics metrics) {
        String runId = run.runId();
        return new CheckpointPublished(runId, run.request().datasetId(), epoch, step,
                new CheckpointPublished.ObjectRef(ObjectKeys.generator(runId, epoch), Digests.sha256(generator),
                        (long) generator.length),
                ObjectKeys.discriminator(runId, epoch), ObjectKeys.optimizer(runId, epoch),
                ObjectKeys.samples(runId, epoch), metrics);
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
