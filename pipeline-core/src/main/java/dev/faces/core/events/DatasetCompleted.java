package dev.faces.core.events;

import static dev.faces.core.events.EventFormatException.check;
import static dev.faces.core.events.EventFormatException.required;
import static dev.faces.core.events.EventFormatException.safeId;

/** Every shard of a dataset has been announced; the manifest is written. */
public record DatasetCompleted(String datasetId, Integer shardCount, Integer imageCount, Integer rejectedCount,
                               String manifestKey) implements EventData {
    public DatasetCompleted {
        safeId("datasetId", datasetId);
        check(required("shardCount", shardCount) >= 0, "shardCount must be >= 0, was " + shardCount);
        check(required("imageCount", imageCount) >= 0, "imageCount must be >= 0, was " + imageCount);
        check(required("rejectedCount", rejectedCount) >= 0, "rejectedCount must be >= 0, was " + rejectedCount);
        required("manifestKey", manifestKey);
    }

    @Override
    public EventType eventType() {
        return EventType.DATASET_COMPLETED;
    }

    @Override
    public String aggregateId() {
        return datasetId;
    }
}
