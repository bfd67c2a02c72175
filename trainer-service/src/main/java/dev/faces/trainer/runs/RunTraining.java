package dev.faces.trainer.runs;

import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.events.TrainingRequested;
import dev.faces.trainer.data.BatchFeeder;
import dev.faces.trainer.data.HoldBack;
import dev.faces.trainer.data.ShardCache;
import dev.faces.trainer.data.ShardCatalog;
import dev.faces.trainer.gan.Devices;
import dev.faces.trainer.gan.TrainingListener;
import dev.faces.trainer.gan.TrainingData;
import dev.faces.trainer.gan.StepCheckpoints;
import dev.faces.trainer.gan.HyperParameters;
import dev.faces.trainer.gan.TrainingLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * Trains one run from where its state in S3 says it stands: the newest consistent resume state of the epoch in
 * progress, else the last epoch checkpoint, else a warm start or fresh networks. Listeners write metrics,
 * checkpoints and events around the plain loop.
 */
public final class RunTraining {
    private static final Logger LOG = Logger.getLogger(RunTraining.class.getName());

    /**
     * How a run ended in this process: stopped between steps (to be resumed), or completed, with the divergence
     * alarm's reason if it fired.
     */
    public record Ending(boolean stopped, String reason) {
        static final Ending STOPPED = new Ending(true, null);
    }

    private final ObjectStore store;
    private final String bucket;
    private final ShardCache cache;
    private final RunStore runStore;
    private final ResumeStates resumeStates;
    private final CheckpointAnnouncer announcer;
    private final RunManager.Settings settings;
    private final Function<String, List<TrainingListener>> extraListeners;
    private final Devices.Choice device;

    public RunTraining(ObjectStore store, String bucket, ShardCache cache, RunStore runStore, ResumeStates resumeStates,
                       CheckpointAnnouncer announcer, RunManager.Settings settings,
                       Function<String, List<TrainingListener>> extraListeners, Devices.Choice device) {
        this.device = device;
        this.store = store;
        this.bucket = bucket;
        this.cache = cache;
        this.runStore = runStore;
        this.resumeStates = resumeStates;
        this.announcer = announcer;
        this.settings = settings;
        this.extraListeners = extraListeners;
    }

    /**
     * @param lease       the lease every write into the run goes through
     * @param save        records a changed run (run.json under the lease, and the manager's view) and returns it
     * @param current     the run as the manager sees it now
     * @param onProgress  receives the live progress while the run trains (null when it ends)
     */
    public Ending train(RunRecord run, RunLease lease, ShardCatalog.Dataset dataset, UnaryOperator<RunRecord> save,
                        java.util.function.Supplier<RunRecord> current, BooleanSupplier stop,
                        Consumer<RunProgress> onProgress) throws InterruptedException {
        TrainingRequested req = run.request();
        String problem = dataset.problem();
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        HyperParameters hyper = new HyperParameters(req.epochs(), req.batchSize(), req.learningRate(),
                req.beta1(), req.seed());
        run = announcer.catchUp(run, save); // Kafka may have been away at the last epoch's end
        run = save.apply(run.with(RunRecord.Status.running, null).withDevice(device.name()));
        List<dev.faces.core.events.DatasetBatch> shards = dataset.shardList();
        HoldBack holdBack = HoldBack.of(shards, settings.swdImages());
        if (run.swdFloor() == null && holdBack.count() >= 2) {
            double floor = dev.faces.trainer.gan.Evaluation.swdFloor(holdBack.heldBack(shards, cache::load),
                    holdBack.floorSet(shards, cache::load), hyper.seed());
            run = save.apply(run.withSwdFloor(Double.isFinite(floor) ? floor : -1));
        }
        double floor = run.swdFloor() == null || run.swdFloor() < 0 ? Double.NaN : run.swdFloor();
        try (TrainingLoop loop = openLoop(run, hyper)) {
            LOG.info(String.format("run %s %s at epoch %d of %d%s on %d images of dataset %s (%d held back for SWD)"
                    + " on %s", run.runId(), loop.globalStep() > 0 ? "resumes" : "starts", loop.epochsDone() + 1,
                    req.epochs(), loop.batchesDone() > 0 ? " after batch " + loop.batchesDone() : "",
                    dataset.imageCount(), req.datasetId(), holdBack.count(), device.description()));
            String runId = run.runId();
            RunProgress progress = new RunProgress(runId);
            DivergenceAlarm alarm = new DivergenceAlarm();
            CheckpointWriter.RunRecords records = new CheckpointWriter.RunRecords() {
                @Override
                public RunRecord current() {
                    return current.get();
                }

                @Override
                public RunRecord save(RunRecord updated) {
                    return save.apply(updated);
                }
            };
            MetricsLog metricsLog = new MetricsLog(store, bucket, lease, runId, loop.globalStep());
            List<TrainingListener> listeners = new ArrayList<>(List.of(progress, alarm, new TrainingLog(progress),
                    metricsLog, new LossPlot(lease, runId, metricsLog.lines()),
                    new CheckpointWriter(lease, records, alarm, announcer, holdBack.count()),
                    epochEnd(lease, runId)));
            listeners.addAll(extraListeners.apply(runId));
            onProgress.accept(progress);
            TrainingLoop.Outcome outcome = loop.run(data(shards, hyper, holdBack, floor), listeners, stop,
                    stepCheckpoints(lease, runId, metricsLog, loop));
            if (outcome == TrainingLoop.Outcome.STOPPED) {
                return Ending.STOPPED;
            }
            return new Ending(false, alarm.reason());
        } finally {
            onProgress.accept(null);
        }
    }

    /** After an epoch checkpoint, older mid-epoch states describe the past: remove them. */
    private TrainingListener epochEnd(RunLease lease, String runId) {
        return new TrainingListener() {
            @Override
            public void onEpoch(EpochInfo epoch) {
                resumeStates.clear(lease, runId);
            }
        };
    }

    private StepCheckpoints stepCheckpoints(RunLease lease, String runId, MetricsLog metricsLog, TrainingLoop loop) {
        return new StepCheckpoints() {
            @Override
            public int every() {
                return settings.checkpointEverySteps();
            }

            @Override
            public void save(int epoch, int batchesDone, TrainingLoop.Snapshot state) {
                resumeStates.save(lease, runId, epoch, batchesDone, loop.globalStep(), state);
                metricsLog.flush();
            }
        };
    }

    private TrainingLoop openLoop(RunRecord run, HyperParameters hyper) {
        return loopFor(run, hyper).calibratingOn(settings.calibrationBatches());
    }

    private TrainingLoop loopFor(RunRecord run, HyperParameters hyper) {
        Optional<ResumeStates.Saved> midEpoch = resumeStates.load(run.runId(), run.epochsDone() + 1);
        if (midEpoch.isPresent()) {
            return TrainingLoop.resume(hyper, midEpoch.get().snapshot(), device.device());
        }
        if (run.epochsDone() > 0) {
            return TrainingLoop.resume(hyper, readSnapshot(run.runId(), run.epochsDone()), device.device());
        }
        String from = run.request().resumeFrom();
        if (from != null) {
            RunRecord source = runStore.find(from).orElse(null);
            if (source == null || source.epochsDone() == 0) {
                throw new IllegalArgumentException("resumeFrom run '" + from + "' has no checkpoint to start from");
            }
            return TrainingLoop.warmStart(hyper, readSnapshot(from, source.epochsDone()), device.device());
        }
        return TrainingLoop.fresh(hyper, device.device());
    }

    private TrainingLoop.Snapshot readSnapshot(String runId, int epoch) {
        byte[] ema = store.get(bucket, ObjectKeys.generatorEma(runId, epoch)).orElse(null); // absent before G_ema
        return new TrainingLoop.Snapshot(object(ObjectKeys.generator(runId, epoch)),
                object(ObjectKeys.discriminator(runId, epoch)), object(ObjectKeys.optimizer(runId, epoch)), null,
                ema, null);
    }

    private byte[] object(String key) {
        return store.get(bucket, key).orElseThrow(() -> new IllegalStateException(
                "checkpoint object s3://" + bucket + "/" + key + " is missing"));
    }

    private TrainingData data(List<dev.faces.core.events.DatasetBatch> shards, HyperParameters hyper,
                                   HoldBack holdBack, double floor) {
        int batches = BatchFeeder.batchesPerEpoch(holdBack.trainingImages(shards), hyper.batchSize());
        return new TrainingData() {
            @Override
            public int batchesPerEpoch() {
                return batches;
            }

            @Override
            public BatchFeeder open(int epoch, int skipBatches) {
                return new BatchFeeder(shards, cache::load, holdBack, hyper.seed(), epoch, hyper.batchSize(),
                        settings.shardWindow(), settings.prefetchBatches(), skipBatches);
            }

            @Override
            public BatchFeeder.Batch heldBack() {
                return holdBack.heldBack(shards, cache::load);
            }

            @Override
            public double swdFloor() {
                return floor;
            }
        };
    }
}
