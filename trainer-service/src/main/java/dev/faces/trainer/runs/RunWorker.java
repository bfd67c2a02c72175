package dev.faces.trainer.runs;

import dev.faces.core.ObjectStore;
import dev.faces.core.events.TrainingFinished;
import dev.faces.core.kafka.CloudEventProducer;
import dev.faces.trainer.data.ShardCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one thread that trains a {@link RunManager}'s runs, one at a time: it takes each run with a new lease
 * ({@link RunStore#claim}), trains it through {@link RunTraining}, and records how it ended. It shares the
 * manager's state and its monitor.
 */
final class RunWorker {
    private static final Logger LOG = Logger.getLogger(RunManager.class.getName());
    private final RunManager m;

    RunWorker(RunManager manager) {
        this.m = manager;
    }

    void work() {
        while (!m.stopping) {
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
            } catch (FencedException e) {
                // a newer owner holds the run: nothing more is written into it from here, not even its failure
                LOG.warning("fenced: " + e.getMessage());
                if (run != null) {
                    m.runs.remove(run.runId());
                }
            } catch (ObjectStore.StorageException | CloudEventProducer.UnavailableException e) {
                // Storage or Kafka stayed away longer than their retries: no run is at fault. It waits, then
                // resumes from its newest checkpoint, as after a restart.
                String what = run == null ? "the trainer" : "run " + run.runId();
                LOG.log(Level.WARNING, what + " paused: " + e.getMessage() + "; retrying in "
                        + m.settings.pause().toSeconds() + " s");
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
                    RunLease lease = m.activeLease;
                    if (lease == null) {
                        lease = m.runStore.claim(run.runId(), m.owner).map(RunStore.Claimed::lease).orElse(null);
                    }
                    if (lease != null) {
                        finish(lease, m.runs.getOrDefault(run.runId(), run), RunRecord.Status.failed, reason);
                    }
                } catch (FencedException fenced) {
                    LOG.warning("fenced: " + fenced.getMessage());
                    m.runs.remove(run.runId());
                } catch (RuntimeException recordFailed) {
                    LOG.log(Level.SEVERE, "run " + run.runId() + ": cannot record the failure; it is retried", recordFailed);
                    pauseThenRequeue(run);
                }
            } finally {
                synchronized (m) {
                    m.inTraining = null;
                    m.activeLease = null;
                    m.notifyAll();
                }
            }
        }
    }

    private void execute(RunRecord queued) throws InterruptedException {
        String runId = queued.runId();
        RunStore.Claimed claimed = m.runStore.claim(runId, m.owner).orElse(null);
        if (claimed == null) {
            LOG.warning("run " + runId + ": its run.json is gone, so there is nothing to train");
            m.runs.remove(runId);
            return;
        }
        RunRecord run = claimed.run();
        m.runs.put(runId, run);
        if (claimed.lease() == null) { // final, its end on the broker: a request for it again gets its end again
            LOG.info("run " + runId + " is " + run.status() + " already; announcing its end again");
            announceEnd(run);
            return;
        }
        RunLease lease = claimed.lease();
        m.activeLease = lease;
        LOG.info("run " + runId + " taken with lease " + lease.epoch() + " by " + m.owner);
        if (run.endPending()) { // its owner saved it final, and the broker never got its end
            LOG.info("run " + runId + " is " + run.status() + "; its end never reached the broker, announcing it");
            announceEndUnder(lease, run);
            return;
        }
        if (m.cancellations.requestedBeforeStart(runId)) {
            finish(lease, run, RunRecord.Status.cancelled, "cancelled before it started");
            return;
        }
        ShardCatalog.Dataset dataset = m.catalog.complete(run.request().datasetId()).orElseThrow();
        int partition = m.leases.partitionOf(run);
        java.util.function.BooleanSupplier stop = () -> m.stopping || !m.leases.holds(partition)
                || m.cancellations.isRequested(runId);
        RunTraining.Ending ending = awaitPredecessor(lease, stop)
                ? m.training.train(run, lease, dataset, r -> save(lease, r), () -> m.runs.get(runId), stop,
                        p -> m.active = p)
                : new RunTraining.Ending(true, "stopped before it started");
        if (m.cancellations.isRequested(runId)) {
            m.cancellations.done(runId);
            finish(lease, m.runs.get(runId), RunRecord.Status.cancelled, "cancelled during epoch "
                    + (m.runs.get(runId).epochsDone() + 1));
        } else if (ending.stopped()) {
            LOG.info("run " + runId + " stopped between steps (" + (m.stopping ? "shutdown" : "partition " + partition
                    + " moved to another trainer") + "); its owner resumes it from the saved step");
            lease.release(m.runs.get(runId)); // its next owner need not wait for this lease's writes
        } else {
            finish(lease, m.runs.get(runId), RunRecord.Status.completed, ending.reason());
        }
    }

    /**
     * A predecessor that did not release the run may still be alive (frozen, or cut off from Kafka): its writes
     * signed before this claim expire on the server's clock, and the run's state is read only after that.
     */
    private static boolean awaitPredecessor(RunLease lease, java.util.function.BooleanSupplier stop)
            throws InterruptedException {
        long seconds = java.time.Duration.between(java.time.Instant.now(), lease.quietFrom()).toSeconds();
        if (seconds <= 0) {
            return true;
        }
        LOG.info("run " + lease.runId() + ": its previous owner did not release it and may still be alive; lease "
                + lease.epoch() + " waits " + seconds + " s, until every write signed under an older lease has expired,"
                + " before it reads the run's state");
        return lease.awaitQuiet(stop);
    }

    /** Queues the unfinished m.runs in S3 of newly owned partitions (running ones first). */
    private void scanOwnedPartitions() {
        Set<Integer> toScan = m.leases.takeUnscanned();
        if (toScan.isEmpty()) {
            return;
        }
        List<RunRecord> found;
        try {
            found = m.runStore.all();
        } catch (RuntimeException e) {
            m.leases.rescan(toScan); // storage away: look again once it is back
            throw e;
        }
        synchronized (m) {
            List<String> resumed = new ArrayList<>();
            for (RunRecord.Status status : List.of(RunRecord.Status.running, RunRecord.Status.queued)) {
                for (RunRecord r : found) {
                    if ((r.status() == status || status == RunRecord.Status.running && r.endPending())
                            && toScan.contains(m.leases.partitionOf(r)) && m.leases.holds(r)
                            && !m.isTraining(r.runId())) {
                        m.runs.put(r.runId(), r);
                        if (m.queue.add(r.runId())) {
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
        synchronized (m) {
            candidates = new ArrayList<>(m.queue);
        }
        for (String runId : candidates) {
            RunRecord run = m.runs.get(runId);
            if (run.status().isFinal() || m.catalog.complete(run.request().datasetId()).isPresent()) {
                synchronized (m) {
                    if (m.queue.remove(runId) && m.leases.holds(run)) {
                        m.inTraining = run;
                        return run;
                    }
                }
            }
        }
        synchronized (m) {
            if (!m.stopping) {
                m.wait(1000);
            }
        }
        return null;
    }


    private void pauseThenRequeue(RunRecord run) {
        long until = System.nanoTime() + m.settings.pause().toNanos();
        synchronized (m) {
            while (!m.stopping && System.nanoTime() < until) {
                try {
                    m.wait(Math.max(1, (until - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    m.stopping = true;
                }
            }
            if (!m.stopping && run != null && m.leases.holds(run)) {
                List<String> waiting = new ArrayList<>(m.queue);
                m.queue.clear();
                m.queue.add(run.runId());
                m.queue.addAll(waiting);
            }
        }
    }


    private RunRecord save(RunLease lease, RunRecord run) {
        lease.save(run);
        m.runs.put(run.runId(), run);
        return run;
    }

    /**
     * run.json final (its end pending) first, then the event, then run.json says the broker has it. If the event
     * cannot be sent, the run stays pending in S3: this trainer queues it again, and whoever owns its partition
     * next finds it and announces it. A final run never trains again; its end may be announced twice (a trainer
     * that dies between the event and the last write), never not at all.
     */
    void finish(RunLease lease, RunRecord run, RunRecord.Status status, String reason) {
        RunRecord done = save(lease, run.with(status, reason));
        LOG.info("run " + run.runId() + " " + status + (reason == null ? "" : ": " + reason));
        announceEndUnder(lease, done);
    }

    private void announceEndUnder(RunLease lease, RunRecord done) {
        announceEnd(done);
        save(lease, done.withEndAnnounced());
    }

    private void announceEnd(RunRecord done) {
        m.events.finished(new TrainingFinished(done.runId(), TrainingFinished.Status.valueOf(
                done.status().name().toUpperCase()), done.reason(), done.epochsDone(), done.lastCheckpointKey()));
    }
}
