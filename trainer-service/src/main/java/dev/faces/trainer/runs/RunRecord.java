package dev.faces.trainer.runs;

import dev.faces.core.events.TrainingRequested;
import java.time.Instant;

/**
 * A run as {@code run.json} stores it in S3: the request, where it stands, and why. The trainer that owns the
 * run's partition rebuilds its queue from these files.
 *
 * @param partition       the partition of {@code faces.training-requests} the run belongs to (its lease)
 * @param epochsAnnounced epochs whose checkpoint event the broker has; behind {@code epochsDone} while Kafka is away
 * @param swdFloor        real-vs-real SWD of this run's held-back set, measured once per run
 * @param device          the device the run last trained on, as DJL names it ({@code cpu()}, {@code gpu(0)})
 * @param endAnnounced    for a final run, whether its training.finished event reached the broker: false from the
 *                        moment run.json is final until the broker has the event, so that whoever owns the run next
 *                        (another trainer, this one after a restart) announces it; absent in older run.json files,
 *                        which were announced
 */
public record RunRecord(String runId, TrainingRequested request, Status status, int epochsDone, long step,
                        String lastCheckpointKey, String reason, boolean diverging, Instant createdAt,
                        Instant updatedAt, Integer partition, Integer epochsAnnounced, Double swdFloor,
                        String device, Boolean endAnnounced) {

    public enum Status {
        queued, running, completed, failed, cancelled;

        public boolean isFinal() {
            return this == completed || this == failed || this == cancelled;
        }
    }

    public static RunRecord queued(TrainingRequested request, int partition) {
        Instant now = Instant.now();
        return new RunRecord(request.runId(), request, Status.queued, 0, 0, null, null, false, now, now, partition, 0,
                null, null, null);
    }

    /** Final, and its end not yet on the broker. */
    public boolean endPending() {
        return status.isFinal() && Boolean.FALSE.equals(endAnnounced);
    }

    public int announced() {
        return epochsAnnounced == null ? 0 : epochsAnnounced;
    }

    /** A final status starts with its end not announced. */
    public RunRecord with(Status newStatus, String newReason) {
        return new RunRecord(runId, request, newStatus, epochsDone, step, lastCheckpointKey, newReason, diverging,
                createdAt, Instant.now(), partition, epochsAnnounced, swdFloor, device, newStatus.isFinal() ? false : null);
    }

    public RunRecord withEndAnnounced() {
        return new RunRecord(runId, request, status, epochsDone, step, lastCheckpointKey, reason, diverging, createdAt,
                Instant.now(), partition, epochsAnnounced, swdFloor, device, true);
    }

    public RunRecord withCheckpoint(int epoch, long globalStep, String checkpointKey, boolean isDiverging) {
        return new RunRecord(runId, request, status, epoch, globalStep, checkpointKey, reason, diverging || isDiverging,
                createdAt, Instant.now(), partition, epochsAnnounced, swdFloor, device, endAnnounced);
    }

    public RunRecord withAnnounced(int epochs) {
        return new RunRecord(runId, request, status, epochsDone, step, lastCheckpointKey, reason, diverging, createdAt,
                Instant.now(), partition, epochs, swdFloor, device, endAnnounced);
    }

    public RunRecord withSwdFloor(double floor) {
        return new RunRecord(runId, request, status, epochsDone, step, lastCheckpointKey, reason, diverging, createdAt,
                Instant.now(), partition, epochsAnnounced, floor, device, endAnnounced);
    }

    public RunRecord withPartition(int newPartition) {
        return new RunRecord(runId, request, status, epochsDone, step, lastCheckpointKey, reason, diverging, createdAt,
                Instant.now(), newPartition, epochsAnnounced, swdFloor, device, endAnnounced);
    }

    public RunRecord withDevice(String newDevice) {
        return new RunRecord(runId, request, status, epochsDone, step, lastCheckpointKey, reason, diverging, createdAt,
                Instant.now(), partition, epochsAnnounced, swdFloor, newDevice, endAnnounced);
    }
}
