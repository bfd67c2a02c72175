package dev.faces.trainer.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.events.CheckpointPublished;
import dev.faces.core.events.EventCodec;
import dev.faces.core.events.TrainingFinished;
import dev.faces.core.events.TrainingRequested;
import dev.faces.trainer.data.BatchFeeder;
import dev.faces.trainer.data.ShardCache;
import dev.faces.trainer.data.ShardCatalog;
import dev.faces.trainer.gan.TrainingListener;
import dev.faces.trainer.gan.TrainingLoop;
import java.io.IOException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs, one at a time, in request order. Every state change is written to the run's run.json first, so a
 * trainer that restarts (or was killed) finds queued runs and resumes a running one from its last checkpoint.
 */
public final class RunManager implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RunManager.class.getName());
    private static final java.time.Duration STORAGE_PAUSE = java.time.Duration.ofSeconds(30);

    /** How events leave the trainer; both calls return once the broker has the record. */
    public interface Events {
        void checkpoint(CheckpointPublished event);

        void finished(TrainingFinished event);
    }

    /** @param checkpointEverySteps mid-epoch resume state every N steps; 0 for epoch checkpoints only */
    public record Settings(int shardWindow, int prefetchBatches, int swdImages, int checkpointEverySteps) {
    }

    private final RunStore runStore;
    private final ObjectStore store;
    private final String checkpointsBucket;
    private final ShardCatalog catalog;
    private final ShardCache cache;
    private final Events events;
    private final Settings settings;
    private final Function<String, List<TrainingListener>> extraListeners;
    private final Map<String, RunRecord> runs = new ConcurrentHashMap<>();
    private final Set<String> queue = new LinkedHashSet<>();
    private final Set<String> cancelRequested = ConcurrentHashMap.newKeySet();
    private final Thread worker;
    private volatile boolean stopping;
    private volatile RunProgress active;

    public RunManager(RunStore runStore, ObjectStore store, String checkpointsBucket, ShardCatalog catalog,
                      ShardCache cache, Events events, Settings settings,
                      Function<String, List<TrainingListener>> extraListeners) {
        this.runStore = runStore;
        this.store = store;
        this.checkpointsBucket = checkpointsBucket;
        this.catalog = catalog;
        this.cache = cache;
        this.events = events;
        this.settings = settings;
        this.extraListeners = extraListeners;
        this.worker = new Thread(this::work, "trainer");
    }

    /** Loads every run from S3, queues the unfinished ones (the running one first) and starts working. */
    public void start() {
        List<RunRecord> all = runStore.all();
        all.forEach(r -> runs.put(r.runId(), r));
        all.stream().filter(r -> r.status() == RunRecord.Status.running).forEach(r -> queue.add(r.runId()));
        all.stream().filter(r -> r.status() == RunRecord.Status.queued).forEach(r -> queue.add(r.runId()));
        if (!queue.isEmpty()) {
            LOG.info("resuming " + queue.size() + " unfinished run(s): " + queue);
        }
        worker.start();
    }

    /** Queues a run. The same runId twice starts nothing: the existing run is returned. */
    public synchronized RunRecord submit(TrainingRequested request) {
        TrainingRequested withId = request.runId() != null ? request : request.withRunId(newRunId());
        RunRecord existing = runs.get(withId.runId());
        if (existing == null) {
            existing = runStore.find(withId.runId()).orElse(null);
        }
        if (existing != null) {
            LOG.info("run " + withId.runId() + " already exists (" + existing.status() + "); duplicate request ignored");
            runs.putIfAbsent(existing.runId(), existing);
            return existing;
        }
        RunRecord run = RunRecord.queued(withId);
        runStore.save(run);
        runs.put(run.runId(), run);
        queue.add(run.runId());
        notifyAll();
        LOG.info("run " + run.runId() + " queued for dataset " + withId.datasetId() + " (" + withId.epochs() + " epochs)");
        return run;
    }

    /** Asks a run to stop; a queued run is cancelled at once, a training one between two steps. */
    public synchronized Optional<RunRecord> cancel(String runId) {
        RunRecord run = runs.get(runId);
        if (run == null || run.status().isFinal()) {
            return Optional.ofNullable(run);
        }
        if (queue.remove(runId) && run.status() == RunRecord.Status.queued) {
            finish(run, RunRecord.Status.cancelled, "cancelled before it started");
            return Optional.of(runs.get(runId));
        }
        cancelRequested.add(runId);
        return Optional.of(run);
    }

    public Optional<RunRecord> get(String runId) {
        return Optional.ofNullable(runs.get(runId));
    }

    public List<RunRecord> list() {
        List<RunRecord> out = new ArrayList<>(runs.values());
        out.sort((a, b) -> b.createdAt().compareTo(a.createdAt()));
        return out;
    }

    /** The live progress of the run in training, if it is this one. */
    public Optional<RunProgress> progress(String runId) {
        RunProgress p = active;
        return p != null && p.runId().equals(runId) ? Optional.of(p) : Optional.empty();
    }

    public Optional<RunProgress> activeProgress() {
        return Optional.ofNullable(active);
    }

    public int queued() {
        synchronized (this) {
            return queue.size();
        }
    }

    private void work() {
        while (!stopping) {
            String runId = nextReady();
            if (runId == null) {
                continue;
            }
            try {
                execute(runs.get(runId));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ObjectStore.StorageException e) {
                // S3 stayed away longer than the store's retries: the run is not at fault, so it waits and
                // resumes from its last checkpoint, as after a restart.
                LOG.log(Level.WARNING, "run " + runId + " paused: " + e.getMessage() + "; retrying in "
                        + STORAGE_PAUSE.toSeconds() + " s");
                requeueAfterPause(runId);
            } catch (RuntimeException | Error e) {
                LOG.log(Level.SEVERE, "run " + runId + " failed", e);
                String reason = e instanceof RuntimeException && e.getMessage() != null ? e.getMessage() : e.toString();
                try {
                    finish(runs.get(runId), RunRecord.Status.failed, reason);
                } catch (RuntimeException recordFailed) {
                    LOG.log(Level.SEVERE, "run " + runId + ": cannot record the failure", recordFailed);
                }
            }
        }
    }

    private void requeueAfterPause(String runId) {
        long until = System.nanoTime() + STORAGE_PAUSE.toNanos();
        synchronized (this) {
            while (!stopping && System.nanoTime() < until) {
                try {
                    wait(Math.max(1, (until - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stopping = true;
                }
            }
            if (!stopping) {
                List<String> waiting = new ArrayList<>(queue);
                queue.clear();
                queue.add(runId);
                queue.addAll(waiting);
            }
        }
    }

    /** The first queued run whose dataset is complete, or null after waiting a moment. */
    private synchronized String nextReady() {
        for (String runId : queue) {
            String datasetId = runs.get(runId).request().datasetId();
            if (catalog.get(datasetId).map(ShardCatalog.Dataset::isComplete).orElse(false)) {
                queue.remove(runId);
                return runId;
            }
        }
        try {
            wait(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        }
        return null;
    }

    /** Called when a dataset completes: a run waiting for it may start now. */
    public synchronized void datasetChanged() {
        notifyAll();
    }

    private void execute(RunRecord run) throws InterruptedException {
        TrainingRequested req = run.request();
        TrainingLoop.Hyper hyper = new TrainingLoop.Hyper(req.epochs(), req.batchSize(), req.learningRate(), req.beta1(),
                req.seed());
        ShardCatalog.Dataset dataset = catalog.get(req.datasetId()).orElseThrow();
        run = save(run.with(RunRecord.Status.running, null));
        try (TrainingLoop loop = openLoop(run, hyper)) {
            LOG.info(String.format("run %s %s at epoch %d of %d%s on %d images of dataset %s", run.runId(),
                    loop.globalStep() > 0 ? "resumes" : "starts", loop.epochsDone() + 1, req.epochs(),
                    loop.batchesDone() > 0 ? " after batch " + loop.batchesDone() : "", dataset.imageCount(),
                    req.datasetId()));
            if (run.epochsDone() > 0) {
                reannounce(run);
            }
            RunProgress progress = new RunProgress(run.runId());
            DivergenceAlarm alarm = new DivergenceAlarm();
            String runId = run.runId();
            CheckpointWriter.RunRecords records = new CheckpointWriter.RunRecords() {
                @Override
                public RunRecord current() {
                    return runs.get(runId);
                }

                @Override
                public void save(RunRecord updated) {
                    RunManager.this.save(updated);
                }
            };
            MetricsLog metricsLog = new MetricsLog(store, checkpointsBucket, runId, loop.globalStep());
            List<TrainingListener> listeners = new ArrayList<>(List.of(progress, alarm, new TrainingLog(progress),
                    metricsLog, new LossPlot(store, checkpointsBucket, runId, metricsLog.lines()), new CheckpointWriter(store, checkpointsBucket, records, alarm, events::checkpoint)));
            listeners.addAll(extraListeners.apply(runId));
            active = progress;
            TrainingLoop.Outcome outcome = loop.run(data(dataset, hyper), listeners,
                    () -> stopping || cancelRequested.contains(runId), stepCheckpoints(runId, metricsLog));
            if (cancelRequested.remove(runId)) {
                finish(runs.get(runId), RunRecord.Status.cancelled, "cancelled during epoch " + (loop.epochsDone() + 1));
            } else if (outcome == TrainingLoop.Outcome.STOPPED) {
                LOG.info("run " + runId + " paused between steps for shutdown; it resumes from epoch "
                        + loop.epochsDone() + "'s checkpoint on the next start");
            } else {
                finish(runs.get(runId), RunRecord.Status.completed, alarm.reason());
            }
        } finally {
            active = null;
        }
    }

    private TrainingLoop.StepCheckpoints stepCheckpoints(String runId, MetricsLog metricsLog) {
        return new TrainingLoop.StepCheckpoints() {
            @Override
            public int every() {
                return settings.checkpointEverySteps();
            }

            @Override
            public void save(int epoch, int batchesDone, TrainingLoop.Snapshot state) {
                String octets = "application/octet-stream";
                store.put(checkpointsBucket, ObjectKeys.resumeState(runId, "generator.safetensors"), state.generator(), octets);
                store.put(checkpointsBucket, ObjectKeys.resumeState(runId, "discriminator.safetensors"),
                        state.discriminator(), octets);
                store.put(checkpointsBucket, ObjectKeys.resumeState(runId, "optimizer.safetensors"), state.optimizer(), octets);
                store.put(checkpointsBucket, ObjectKeys.resumeState(runId, "progress.json"),
                        ("{\"epoch\":" + epoch + ",\"batchesDone\":" + batchesDone + "}").getBytes(), "application/json");
                metricsLog.flush();
                LOG.info("run " + runId + ": resume state saved at epoch " + epoch + ", batch " + batchesDone);
            }
        };
    }

    private TrainingLoop openLoop(RunRecord run, TrainingLoop.Hyper hyper) {
        Optional<TrainingLoop.Snapshot> midEpoch = midEpochState(run);
        if (midEpoch.isPresent()) {
            return TrainingLoop.resume(hyper, midEpoch.get());
        }
        if (run.epochsDone() > 0) {
            return TrainingLoop.resume(hyper, readSnapshot(run.runId(), run.epochsDone()));
        }
        String from = run.request().resumeFrom();
        if (from != null) {
            RunRecord source = runs.get(from);
            if (source == null || source.epochsDone() == 0) {
                throw new IllegalArgumentException("resumeFrom run '" + from + "' has no checkpoint to start from");
            }
            return TrainingLoop.warmStart(hyper, readSnapshot(from, source.epochsDone()));
        }
        return TrainingLoop.fresh(hyper);
    }

    /** Step-checkpoint state newer than the last epoch checkpoint, if there is a complete one. */
    private Optional<TrainingLoop.Snapshot> midEpochState(RunRecord run) {
        return store.get(checkpointsBucket, ObjectKeys.resumeState(run.runId(), "progress.json")).flatMap(bytes -> {
            try {
                int epoch = EventCodec.json().readTree(bytes).path("epoch").asInt();
                if (epoch != run.epochsDone() + 1) {
                    return Optional.empty();
                }
                return Optional.of(new TrainingLoop.Snapshot(
                        object(ObjectKeys.resumeState(run.runId(), "generator.safetensors")),
                        object(ObjectKeys.resumeState(run.runId(), "discriminator.safetensors")),
                        object(ObjectKeys.resumeState(run.runId(), "optimizer.safetensors")), null));
            } catch (IOException e) {
                return Optional.empty();
            }
        });
    }

    private TrainingLoop.Snapshot readSnapshot(String runId, int epoch) {
        return new TrainingLoop.Snapshot(object(ObjectKeys.generator(runId, epoch)),
                object(ObjectKeys.discriminator(runId, epoch)), object(ObjectKeys.optimizer(runId, epoch)), null);
    }

    private byte[] object(String key) {
        return store.get(checkpointsBucket, key).orElseThrow(() -> new IllegalStateException(
                "checkpoint object s3://" + checkpointsBucket + "/" + key + " is missing"));
    }

    /** The last checkpoint's event may have been lost in a crash after run.json; announce it again. */
    private void reannounce(RunRecord run) {
        int epoch = run.epochsDone();
        try {
            JsonNode m = EventCodec.json().readTree(object(ObjectKeys.epochMetrics(run.runId(), epoch)));
            CheckpointPublished.Metrics metrics = new CheckpointPublished.Metrics(m.path("lossD").asDouble(),
                    m.path("lossG").asDouble(), m.path("dx").asDouble(), m.path("dgz1").asDouble(), m.path("dgz2").asDouble(),
                    m.path("swd").isNumber() ? m.path("swd").asDouble() : null, m.path("imagesPerSecond").asDouble());
            events.checkpoint(CheckpointWriter.event(run, epoch, run.step(), object(ObjectKeys.generator(run.runId(), epoch)),
                    metrics));
        } catch (IOException e) {
            throw new IllegalStateException("metrics.json of " + run.runId() + " epoch " + epoch + " is unreadable", e);
        }
    }

    private TrainingLoop.Data data(ShardCatalog.Dataset dataset, TrainingLoop.Hyper hyper) {
        var shards = dataset.shardList();
        var holdBack = BatchFeeder.HoldBack.fromLastShard(shards, settings.swdImages());
        int batches = BatchFeeder.batchesPerEpoch(holdBack.trainingImages(shards), hyper.batchSize());
        return new TrainingLoop.Data() {
            @Override
            public int batchesPerEpoch() {
                return batches;
            }

            @Override
            public BatchFeeder open(int epoch, int skipBatches) {
                return new BatchFeeder(shards, cache::load, holdBack, hyper.seed(), epoch, hyper.batchSize(),
                        settings.shardWindow(), settings.prefetchBatches(), skipBatches,
                        reason -> LOG.warning("shard skipped: " + reason));
            }

            @Override
            public BatchFeeder.Batch heldBack() {
                try {
                    return BatchFeeder.heldBack(shards, cache::load, holdBack);
                } catch (RuntimeException e) {
                    LOG.warning("no held-back images for SWD: " + e.getMessage());
                    return new BatchFeeder.Batch(new byte[0], 0);
                }
            }
        };
    }

    private RunRecord save(RunRecord run) {
        runStore.save(run);
        runs.put(run.runId(), run);
        return run;
    }

    private void finish(RunRecord run, RunRecord.Status status, String reason) {
        RunRecord done = save(run.with(status, reason));
        LOG.info("run " + run.runId() + " " + status + (reason == null ? "" : ": " + reason));
        events.finished(new TrainingFinished(run.runId(), TrainingFinished.Status.valueOf(status.name().toUpperCase()),
                reason, done.epochsDone(), done.lastCheckpointKey()));
    }

    private static String newRunId() {
        return "run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                + UUID.randomUUID().toString().substring(0, 4);
    }

    /** Stops between two steps: the run stays "running" in run.json and resumes on the next start. */
    @Override
    public void close() {
        stopping = true;
        synchronized (this) {
            notifyAll();
        }
        try {
            worker.join(120_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
