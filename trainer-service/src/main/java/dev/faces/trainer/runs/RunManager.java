package dev.faces.trainer.runs;

import dev.faces.core.ObjectStore;
import dev.faces.core.events.TrainingFinished;
import dev.faces.core.events.TrainingRequested;
import dev.faces.core.kafka.CloudEventProducer;
import dev.faces.trainer.data.ShardCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The runs this trainer owns, and the one worker that trains them one at a time. A run belongs to a partition
 * of {@code faces.training-requests}; the trainer holds a run only while its consumer group assigns it that
 * partition ({@link #assigned}, {@link #revoked}). Every state change goes to the run's run.json first, so the
 * next owner (this process after a restart, or another replica) finds the run and resumes it.
 */
public final class RunManager implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RunManager.class.getName());

    /** Sends a run's end on {@code faces.checkpoints}; throws when the broker does not take it. */
    public interface Events {
        void finished(TrainingFinished event);
    }

    /**
     * @param checkpointEverySteps mid-epoch resume state every N steps; 0 for epoch checkpoints (and on stop) only
     * @param pause                how long a run waits after storage or Kafka stayed away past their retries
     */
    public record Settings(int shardWindow, int prefetchBatches, int swdImages, int checkpointEverySteps,
                           Duration pause, Duration releaseTimeout) {
    }

    private final RunStore runStore;
    private final ObjectStore store;
    private final String bucket;
    private final ShardCatalog catalog;
    private final RunTraining training;
    private final Events events;
    private final Settings settings;
    private final String device;
    private final Map<String, RunRecord> runs = new ConcurrentHashMap<>();
    private final Set<String> queue = new LinkedHashSet<>();
    private final Leases leases = new Leases();
    private final Cancellations cancellations;
    private final Thread worker;
    private volatile boolean stopping;
    private volatile RunProgress active;
    private volatile RunRecord inTraining;

    public RunManager(RunStore runStore, ObjectStore store, String bucket, ShardCatalog catalog, RunTraining training,
                      Events events, Settings settings, String device) {
        this.runStore = runStore;
        this.store = store;
        this.bucket = bucket;
        this.catalog = catalog;
        this.training = training;
        this.events = events;
        this.settings = settings;
        this.device = device;
        this.cancellations = new Cancellations(store, bucket);
        this.worker = new Thread(this::work, "trainer");
        this.worker.setUncaughtExceptionHandler((t, e) -> LOG.log(Level.SEVERE, "trainer worker died", e));
    }

    public void start() {
        worker.start();
    }

    // --- ownership ------------------------------------------------------------------------------

    /** The consumer group gave this trainer these partitions: their unfinished runs in S3 are now its own. */
    public void assigned(Collection<Integer> partitions) {
        leases.grant(partitions);
        synchronized (this) {
            notifyAll();
        }
        LOG.info("owns partitions " + leases.owned() + " of faces.training-requests");
    }

    /**
     * The partitions are no longer this trainer's: their queued runs leave the queue, and a run of theirs in
     * training stops between two steps and writes its resume state. Returns once it has.
     */
    public void revoked(Collection<Integer> partitions) {
        leases.revoke(partitions);
        synchronized (this) {
            queue.removeIf(id -> partitions.contains(leases.partitionOf(runs.get(id))));
            notifyAll();
        }
        long deadline = System.nanoTime() + settings.releaseTimeout().toNanos();
        synchronized (this) {
            while (inTraining != null && partitions.contains(leases.partitionOf(inTraining)) && System.nanoTime() < deadline) {
                try {
                    wait(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        runs.values().removeIf(r -> partitions.contains(leases.partitionOf(r)) && !isTraining(r.runId()));
        LOG.info("released partitions " + partitions + "; owns " + leases.owned());
    }

    public Set<Integer> ownedPartitions() {
        return leases.owned();
    }

    /** The request's run, created queued when it is new. The same runId twice starts nothing. */
    public synchronized RunRecord submit(TrainingRequested request, int partition) {
        RunRecord existing = runs.get(request.runId());
        if (existing == null) {
            existing = runStore.find(request.runId()).orElse(null);
        }
        if (existing != null) {
            RunRecord run = existing.partition() == null ? existing.withPartition(partition) : existing;
            runs.put(run.runId(), run);
            if (!run.status().isFinal() && leases.holds(run) && !isTraining(run.runId())) {
                queue.add(run.runId()); // adopted: an unfinished run is resumed by the owner of its partition
                notifyAll();
            }
            LOG.info("run " + run.runId() + " already exists (" + run.status() + "); duplicate request starts nothing");
            return run;
        }
        RunRecord run = RunRecord.queued(request, partition);
        runStore.save(run);
        runs.put(run.runId(), run);
        if (leases.holds(partition)) {
            queue.add(run.runId());
            notifyAll();
        }
        LOG.info("run " + run.runId() + " queued for dataset " + request.datasetId() + " (" + request.epochs()
                + " epochs, partition " + partition + ")");
        return run;
    }

    // --- reading and cancelling -----------------------------------------------------------------

    /** The run as this trainer knows it, else as S3 has it (a run another replica owns). */
    public Optional<RunRecord> get(String runId) {
        RunRecord local = runs.get(runId);
        return local != null ? Optional.of(local) : runStore.find(runId);
    }

    /** Every run in S3, newest first, with this trainer's live view of its own. */
    public List<RunRecord> list() {
        Map<String, RunRecord> all = new java.util.LinkedHashMap<>();
        runStore.all().forEach(r -> all.put(r.runId(), r));
        all.putAll(runs);
        List<RunRecord> out = new ArrayList<>(all.values());
        out.sort((a, b) -> b.createdAt().compareTo(a.createdAt()));
        return out;
    }

    /**
     * Asks a run to stop. A queued run of this trainer is cancelled at once, one in training between two steps;
     * a run another replica owns gets a cancel request in S3, which its owner acts on within seconds.
     */
    public synchronized Optional<RunRecord> cancel(String runId) {
        Optional<RunRecord> found = get(runId);
        if (found.isEmpty() || found.get().status().isFinal()) {
            return found;
        }
        RunRecord run = found.get();
        if (queue.remove(runId)) {
            finish(run, RunRecord.Status.cancelled, "cancelled before it started");
            return Optional.of(runs.get(runId));
        }
        if (isTraining(runId)) {
            cancellations.requestHere(runId);
        } else {
            cancellations.requestForOwner(runId);
        }
        return Optional.of(run);
    }

    public Optional<RunProgress> progress(String runId) {
        RunProgress p = active;
        return p != null && p.runId().equals(runId) ? Optional.of(p) : Optional.empty();
    }

    public Optional<RunProgress> activeProgress() {
        return Optional.ofNullable(active);
    }

    public synchronized int queued() {
        return queue.size();
    }

    public String device() {
        return device;
    }

    // --- the worker -----------------------------------------------------------------------------

    private void work() {
        while (!stopping) {
            RunRecord run = null;
            try {
                scanOwnedPartitions();
                run = nextReady();
                if (run != null) {
                    execute(run);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ObjectStore.StorageException | CloudEventProducer.UnavailableException e) {
                // Storage or Kafka stayed away longer than their retries: no run is at fault. It waits, then
                // resumes from its newest checkpoint, as after a restart.
                String what = run == null ? "the trainer" : "run " + run.runId();
                LOG.log(Level.WARNING, what + " paused: " + e.getMessage() + "; retrying in "
                        + settings.pause().toSeconds() + " s");
                pauseThenRequeue(run);
            } catch (Throwable e) { // an Error too: the run fails with its reason instead of hanging
                if (run == null) {
                    LOG.log(Level.SEVERE, "trainer worker error", e);
                    pauseThenRequeue(null);
                    continue;
                }
                String reason = e instanceof RuntimeException && e.getMessage() != null ? e.getMessage() : e.toString();
                LOG.log(Level.SEVERE, "run " + run.runId() + " failed: " + reason, e);
                try {
                    finish(runs.getOrDefault(run.runId(), run), RunRecord.Status.failed, reason);
                } catch (RuntimeException recordFailed) {
                    LOG.log(Level.SEVERE, "run " + run.runId() + ": cannot record the failure; it is retried", recordFailed);
                    pauseThenRequeue(run);
                }
            } finally {
                synchronized (this) {
                    inTraining = null;
                    notifyAll();
                }
            }
        }
    }

    private void execute(RunRecord run) throws InterruptedException {
        String runId = run.runId();
        if (cancellations.requestedBeforeStart(runId)) {
            finish(run, RunRecord.Status.cancelled, "cancelled before it started");
            return;
        }
        ShardCatalog.Dataset dataset = catalog.complete(run.request().datasetId()).orElseThrow();
        int partition = leases.partitionOf(run);
        RunTraining.Ending ending = training.train(run, dataset, this::save, () -> runs.get(runId),
                () -> stopping || !leases.holds(partition) || cancellations.isRequested(runId), p -> active = p);
        if (cancellations.isRequested(runId)) {
            cancellations.done(runId);
            finish(runs.get(runId), RunRecord.Status.cancelled, "cancelled during epoch " + (runs.get(runId).epochsDone() + 1));
        } else if (ending.stopped()) {
            LOG.info("run " + runId + " stopped between steps (" + (stopping ? "shutdown" : "partition " + partition
                    + " moved to another trainer") + "); its owner resumes it from the saved step");
        } else {
            finish(runs.get(runId), RunRecord.Status.completed, ending.reason());
        }
    }

    /** Queues the unfinished runs in S3 of newly owned partitions (running ones first). */
    private void scanOwnedPartitions() {
        Set<Integer> toScan = leases.takeUnscanned();
        if (toScan.isEmpty()) {
            return;
        }
        List<RunRecord> found;
        try {
            found = runStore.all();
        } catch (RuntimeException e) {
            leases.rescan(toScan); // storage away: look again once it is back
            throw e;
        }
        synchronized (this) {
            List<String> resumed = new ArrayList<>();
            for (RunRecord.Status status : List.of(RunRecord.Status.running, RunRecord.Status.queued)) {
                for (RunRecord r : found) {
                    if (r.status() == status && toScan.contains(leases.partitionOf(r)) && leases.holds(r)
                            && !isTraining(r.runId())) {
                        runs.put(r.runId(), r);
                        if (queue.add(r.runId())) {
                            resumed.add(r.runId());
                        }
                    }
                }
            }
            if (!resumed.isEmpty()) {
                LOG.info("resuming " + resumed.size() + " unfinished run(s) of partitions " + toScan + ": " + resumed);
            }
        }
    }

    /** The first queued run whose dataset is complete (looked up in S3 if need be), or null after a moment. */
    private RunRecord nextReady() throws InterruptedException {
        List<String> candidates;
        synchronized (this) {
            candidates = new ArrayList<>(queue);
        }
        for (String runId : candidates) {
            RunRecord run = runs.get(runId);
            if (catalog.complete(run.request().datasetId()).isPresent()) {
                synchronized (this) {
                    if (queue.remove(runId) && leases.holds(run)) {
                        inTraining = run;
                        return run;
                    }
                }
            }
        }
        synchronized (this) {
            if (!stopping) {
                wait(1000);
            }
        }
        return null;
    }

    /** Called when a dataset completes: a run waiting for it may start now. */
    public synchronized void datasetChanged() {
        notifyAll();
    }

    private void pauseThenRequeue(RunRecord run) {
        long until = System.nanoTime() + settings.pause().toNanos();
        synchronized (this) {
            while (!stopping && System.nanoTime() < until) {
                try {
                    wait(Math.max(1, (until - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stopping = true;
                }
            }
            if (!stopping && run != null && leases.holds(run)) {
                List<String> waiting = new ArrayList<>(queue);
                queue.clear();
                queue.add(run.runId());
                queue.addAll(waiting);
            }
        }
    }

    private boolean isTraining(String runId) {
        RunRecord t = inTraining;
        return t != null && t.runId().equals(runId);
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

    /** The topic's partition count, as the broker reports it. */
    public void partitionCount(int count) {
        leases.partitionCount(count);
    }

    /** Stops between two steps, after writing resume state; the run stays "running" for the next owner. */
    @Override
    public void close() {
        stopping = true;
        synchronized (this) {
            notifyAll();
        }
        try {
            worker.join(settings.releaseTimeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
