package dev.faces.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faces.core.events.DatasetBatch;
import dev.faces.core.events.DatasetCompleted;
import dev.faces.core.events.EventCodec;
import dev.faces.core.events.EventFormatException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A dataset's {@code manifest.json}, the ingest's record of a complete dataset: the source of truth for what
 * shards exist. The batch and completed events carry the same facts; a consumer that missed them reads this.
 */
public record DatasetManifest(String datasetId, int imageSize, List<DatasetBatch> shards, DatasetCompleted completed) {
    /** The only image size the tutorial's DCGAN takes. */
    public static final int IMAGE_SIZE = 64;

    /** Reads a manifest; a malformed one throws {@link EventFormatException} naming what is wrong. */
    public static DatasetManifest parse(String datasetId, byte[] bytes) {
        JsonNode m;
        try {
            m = EventCodec.json().readTree(bytes);
        } catch (IOException e) {
            throw new EventFormatException(EventFormatException.Kind.MALFORMED_JSON,
                    "manifest of dataset " + datasetId + " is not JSON: " + e.getMessage());
        }
        if (m == null || !m.isObject() || !m.path("shards").isArray()) {
            throw new EventFormatException(EventFormatException.Kind.MALFORMED_JSON,
                    "manifest of dataset " + datasetId + " is not an object with a shards array");
        }
        int size = m.path("imageSize").asInt(IMAGE_SIZE); // manifests before imageSize was recorded hold 64x64
        List<DatasetBatch> shards = new ArrayList<>();
        for (JsonNode s : m.path("shards")) {
            shards.add(new DatasetBatch(datasetId, s.path("index").asInt(-1), s.path("key").asText(null),
                    s.path("count").asInt(0), size, s.path("sha256").asText(null), s.path("bytes").asLong(0)));
        }
        DatasetCompleted completed = new DatasetCompleted(datasetId, shards.size(),
                shards.stream().mapToInt(DatasetBatch::imageCount).sum(), m.path("rejectedCount").asInt(0),
                ObjectKeys.manifest(datasetId));
        return new DatasetManifest(datasetId, size, List.copyOf(shards), completed);
    }
}
