package dev.faces.core.events;

import static dev.faces.core.events.EventFormatException.check;
import static dev.faces.core.events.EventFormatException.required;
import static dev.faces.core.events.EventFormatException.safeId;
import static dev.faces.core.events.EventFormatException.requireSha256;

/** A complete checkpoint of one epoch is in object storage. */
public record CheckpointPublished(String runId, String datasetId, Integer epoch, Long step, ObjectRef generator,
                                  String discriminatorKey, String optimizerKey, String samplesKey,
                                  Metrics metrics) implements EventData {
    public CheckpointPublished {
        safeId("runId", runId);
        safeId("datasetId", datasetId);
        check(required("epoch", epoch) >= 1, "epoch must be >= 1, was " + epoch);
        check(required("step", step) >= 0, "step must be >= 0, was " + step);
        required("generator", generator);
        required("discriminatorKey", discriminatorKey);
        required("optimizerKey", optimizerKey);
        required("samplesKey", samplesKey);
        required("metrics", metrics);
    }

    /** An object with the digest a reader verifies before trusting it. */
    public record ObjectRef(String key, String sha256, Long bytes) {
        public ObjectRef {
            required("key", key);
            requireSha256("sha256", sha256);
            check(required("bytes", bytes) > 0, "bytes must be > 0, was " + bytes);
        }
    }

    /**
     * The epoch's last logged losses and D outputs (dgz1 before the D step, dgz2 after), the sliced
     * Wasserstein distance x1e3 (null when not measured) and the epoch's training rate.
     */
    /** {@code swd} is G's, {@code swdEma} G_ema's (null for checkpoints without one). */
    public record Metrics(Double lossD, Double lossG, Double dx, Double dgz1, Double dgz2, Double swd,
                          Double imagesPerSecond, Double swdEma) {
        public Metrics(Double lossD, Double lossG, Double dx, Double dgz1, Double dgz2, Double swd,
                       Double imagesPerSecond) {
            this(lossD, lossG, dx, dgz1, dgz2, swd, imagesPerSecond, null);
        }
    }

    @Override
    public EventType eventType() {
        return EventType.CHECKPOINT_PUBLISHED;
    }

    @Override
    public String aggregateId() {
        return runId;
    }
}
