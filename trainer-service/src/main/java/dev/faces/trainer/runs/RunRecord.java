package dev.faces.trainer.runs;

import dev.faces.core.events.TrainingRequested;
import java.time.Instant;

/**
 * A run as {@code run.json} stores it in S3: the request, where it stands, and why. A trainer that restarts
 * rebuilds its queue from these files.
 */
public record RunRecord(String runId, TrainingRequested request, Status status, int epochsDone, long step,
                        String lastCheckpointKey, String reason, boolean diverging, Instant createdAt,
                        Instant updatedAt) {

    public enum Status {
        queued, running, completed, failed, cancelled;

        public boolean isFinal() {
            return this == completed || this == failed || this == cancelled;
        }
    }

    public static RunRecord queued(TrainingRequested request) {
        Instant now = Instant.now();
        return new RunRecord(request.runId(), request, Status.queued, 0, 0, null, null, false, now, now);
    }

    public RunRecord with(Status newStatus, String newReason) {
        return new RunRecord(runId, request, newStatus, epochsDone, step, lastCheckpointKey, newReason, diverging,
                createdAt, Instant.now());
    }

    public RunRecord withCheckpoint(int epoch, long globalStep, String checkpointKey, boolean isDiverging) {
        return new RunRecord(runId, request, status, epoch, globalStep, checkpointKey, reason, diverging || isDiverging,
                createdAt, Instant.now());
    }
}
