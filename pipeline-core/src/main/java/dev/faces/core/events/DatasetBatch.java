package dev.faces.core.events;

import static dev.faces.core.events.EventFormatException.check;
import static dev.faces.core.events.EventFormatException.required;
import static dev.faces.core.events.EventFormatException.safeId;
import static dev.faces.core.events.EventFormatException.requireSha256;

/** One shard of preprocessed images is in object storage. */
public record DatasetBatch(String datasetId, Integer shardIndex, String objectKey, Integer imageCount,
                           Integer imageSize, String sha256, Long bytes) implements EventData {
    public DatasetBatch {
        safeId("datasetId", datasetId);
        check(required("shardIndex", shardIndex) >= 0, "shardIndex must be >= 0, was " + shardIndex);
        required("objectKey", objectKey);
        check(required("imageCount", imageCount) > 0, "imageCount must be > 0, was " + imageCount);
        check(required("imageSize", imageSize) > 0, "imageSize must be > 0, was " + imageSize);
        requireSha256("sha256", sha256);
        check(required("bytes", bytes) > 0, "bytes must be > 0, was " + bytes);
    }

    @Override
    public EventType eventType() {
        return EventType.DATASET_BATCH;
    }

    @Override
    public String aggregateId() {
        return datasetId;
    }
}
