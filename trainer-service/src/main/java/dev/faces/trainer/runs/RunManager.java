package dev.faces.trainer.runs;

import dev.faces.core.ObjectStore;
import dev.faces.core.events.TrainingFinished;
import dev.faces.core.events.TrainingRequested;
import dev.faces.trainer.data.ShardCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
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
     * @param calibrationBatches   batches of 128 latents G's BN statistics are recalibrated over at each epoch's end
     */
    public record Settings(int shardWindow, int prefetchBatches, int swdImages, int checkpointEverySteps,
                           Duration pause, Duration releaseTimeout, int calibrationBatches) {
    }

    final RunStore runStore;
    private final ObjectStore store;
    private final String bucket;
    final ShardCatalog catalog;
    final RunTraining training;
    final Events events;
    final Settings settings;
    private final String device;
    final Map<String, RunRecord> runs = new ConcurrentHashMap<>();
    final Set<String> queue = new LinkedHashSet<>();
    final Leases leases = new Leases();
    final Cancellations cancellations;
    private final RunWorker runWorker = new RunWorker(this);
    private final Thread worker;
    volatile boolean stopping;
    volatile RunProgress active;
    volatile RunRecord inTraining;
    volatile RunLease activeLease;
    /**
     * Who writes, as run.json's and every run object's lease metadata names it: unique to this process, also in a
     * container restarted under the same pid and host name.
     */
    final String owner = "trainer " + java.lang.management.ManagementFactory.getRuntimeMXBean().getName() + "/"
            + java.util.UUID.randomUUID().toString().substring(0, 8);

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
        this.worker = new Thread(runWorker::work, "trainer");
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

    /**
     * The partitions were lost (the consumer's session expired): another trainer may own their runs already, so a
     * run of theirs in training stops and writes nothing at all, not even resume state.
     */
    public void lost(Collection<Integer> partitions) {
        RunLease lease = activeLease;
        RunRecord training = inTraining;
        if (lease != null && training != null && partitions.contains(leases.partitionOf(training))) {
            lease.lose("partition " + leases.partitionOf(training) + " was lost; another trainer may own the run");
            LOG.warning("run " + training.runId() + " fenced: partition " + leases.partitionOf(training) + " was lost,"
                    + " so this trainer stops it and writes nothing more into it (its new owner resumes it)");
        }
        revoked(partitions);
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
        if (!runStore.create(run)) { // another replica created it between the lookup and now
            run = runStore.find(request.runId()).orElseThrow();
        }
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
            Optional<RunStore.Claimed> claimed = runStore.claim(runId, owner);
            if (claimed.isPresent() && claimed.get().lease() != null) {
                try {
                    runWorker.finish(claimed.get().lease(), claimed.get().run(), RunRecord.Status.cancelled,
                            "cancelled before it started");
                } catch (dev.faces.core.kafka.CloudEventProducer.UnavailableException e) {
                    LOG.warning("run " + runId + " cancelled; its end waits for Kafka: " + e.getMessage());
                    queue.add(runId); // final with its end pending: the worker announces it
                    notifyAll();
                }
            }
            return get(runId);
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

    /** run.json files that could not be read at the last scan, with what is wrong with each. */
    public Map<String, String> damagedRunFiles() {
        return runStore.damaged();
    }

    public String device() {
        return device;
    }

    /** Called when a dataset completes: a run waiting for it may start now. */
    public synchronized void datasetChanged() {
        notifyAll();
    }

    boolean isTraining(String runId) {
        RunRecord t = inTraining;
        return t != null && t.runId().equals(runId);
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
