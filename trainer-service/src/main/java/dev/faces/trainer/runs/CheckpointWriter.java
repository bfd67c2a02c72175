package dev.faces.trainer.runs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faces.core.CheckpointManifest;
import dev.faces.core.ObjectKeys;
import dev.faces.core.events.CheckpointPublished;
import dev.faces.core.events.EventCodec;
import dev.faces.trainer.gan.TrainingListener;
import dev.faces.trainer.gan.TrainingLoop;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an epoch's checkpoint (the generator, discriminator, optimizer, samples and metrics), then
 * {@code checkpoint.json}, the commit marker that lists them with their digests, then records it in run.json,
 * then announces it. An event is published only for a committed checkpoint; a checkpoint whose event did not
 * reach the broker is announced when the run goes on (see {@link CheckpointAnnouncer}).
 */
public final class CheckpointWriter implements TrainingListener {
    private static final String OCTETS = "application/octet-stream";
    private final RunWrites writes;
    private final RunRecords runs;
    private final DivergenceAlarm alarm;
    private final CheckpointAnnouncer announcer;
    private final int swdImages;

    /** Where run.json changes go (the manager keeps its in-memory view in step). */
    public interface RunRecords {
        RunRecord current();

        RunRecord save(RunRecord updated);
    }

    /** @param swdImages held-back images that SWD is measured on, recorded in the checkpoint's metrics */
    public CheckpointWriter(RunWrites writes, RunRecords runs, DivergenceAlarm alarm, CheckpointAnnouncer announcer,
                            int swdImages) {
        this.writes = writes;
        this.runs = runs;
        this.alarm = alarm;
        this.announcer = announcer;
        this.swdImages = swdImages;
    }

    @Override
    public void onEpoch(EpochInfo e) {
        RunRecord run = runs.current();
        String runId = run.runId();
        int epoch = e.epoch();
        TrainingLoop.Snapshot s = e.snapshot();
        List<CheckpointManifest.Entry> objects = new ArrayList<>();
        put(objects, ObjectKeys.generator(runId, epoch), s.generator(), OCTETS);
        put(objects, ObjectKeys.discriminator(runId, epoch), s.discriminator(), OCTETS);
        put(objects, ObjectKeys.optimizer(runId, epoch), s.optimizer(), OCTETS);
        put(objects, ObjectKeys.samples(runId, epoch), s.samplesPng(), "image/png");
        if (s.generatorEma() != null) {
            put(objects, ObjectKeys.generatorEma(runId, epoch), s.generatorEma(), OCTETS);
            put(objects, ObjectKeys.samplesEma(runId, epoch), s.samplesEmaPng(), "image/png");
        }
        CheckpointPublished.Metrics metrics = new CheckpointPublished.Metrics((double) e.last().lossD(),
                (double) e.last().lossG(), (double) e.last().dx(), (double) e.last().dgz1(), (double) e.last().dgz2(),
                finite(e.swd()), e.imagesPerSecond(), finite(e.swdEma()));
        ObjectNode json = EventCodec.json().valueToTree(metrics);
        json.put("epoch", epoch);
        json.put("step", e.globalStep());
        MetricsLog.putNumber(json, "swdFloor", e.swdFloor());
        json.put("swdImages", swdImages);
        json.put("diverging", alarm.isDiverging());
        put(objects, ObjectKeys.epochMetrics(runId, epoch), json.toString().getBytes(), "application/json");
        CheckpointManifest manifest = new CheckpointManifest(runId, run.request().datasetId(), epoch, e.globalStep(),
                List.copyOf(objects), metrics, finite(e.swdFloor()), swdImages, alarm.isDiverging());
        writes.put(ObjectKeys.checkpointManifest(runId, epoch), manifest.toJson(), "application/json");

        RunRecord saved = runs.save(run.withCheckpoint(epoch, e.globalStep(), ObjectKeys.generator(runId, epoch),
                alarm.isDiverging()));
        announcer.catchUp(saved, runs::save);
    }

    private void put(List<CheckpointManifest.Entry> objects, String key, byte[] content, String type) {
        writes.put(key, content, type);
        objects.add(CheckpointManifest.Entry.of(key, content));
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
