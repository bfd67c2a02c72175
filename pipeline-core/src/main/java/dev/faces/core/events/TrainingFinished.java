package dev.faces.core.events;

import static dev.faces.core.events.EventFormatException.check;
import static dev.faces.core.events.EventFormatException.required;
import static dev.faces.core.events.EventFormatException.safeId;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A run ended. {@code reason} says why when it did not complete, or what was flagged (divergence). */
public record TrainingFinished(String runId, Status status, String reason, Integer epochs, String lastCheckpointKey)
        implements EventData {

    public enum Status {
        @JsonProperty("completed") COMPLETED,
        @JsonProperty("failed") FAILED,
        @JsonProperty("cancelled") CANCELLED
    }

    public TrainingFinished {
        safeId("runId", runId);
        required("status", status);
        check(required("epochs", epochs) >= 0, "epochs must be >= 0, was " + epochs);
    }

    @Override
    public EventType eventType() {
        return EventType.TRAINING_FINISHED;
    }

    @Override
    public String aggregateId() {
        return runId;
    }
}
