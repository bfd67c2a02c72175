package dev.faces.core.events;

import static dev.faces.core.events.EventFormatException.check;
import static dev.faces.core.events.EventFormatException.safeId;

/**
 * A request to train (or resume) a run. Everything but the dataset has the tutorial's default;
 * a missing runId is assigned by the trainer.
 */
public record TrainingRequested(String datasetId, String runId, Integer epochs, Integer batchSize,
                                Double learningRate, Double beta1, Long seed, String resumeFrom)
        implements EventData {
    public static final int DEFAULT_EPOCHS = 5;
    public static final int DEFAULT_BATCH_SIZE = 128;
    public static final double DEFAULT_LEARNING_RATE = 0.0002;
    public static final double DEFAULT_BETA1 = 0.5;
    public static final long DEFAULT_SEED = 999;
    public static final int MAX_EPOCHS = 10_000;
    public static final int MAX_BATCH_SIZE = 4096;

    public TrainingRequested {
        safeId("datasetId", datasetId);
        if (runId != null) {
            safeId("runId", runId);
        }
        if (resumeFrom != null) {
            safeId("resumeFrom", resumeFrom);
        }
        epochs = epochs == null ? DEFAULT_EPOCHS : epochs;
        batchSize = batchSize == null ? DEFAULT_BATCH_SIZE : batchSize;
        learningRate = learningRate == null ? DEFAULT_LEARNING_RATE : learningRate;
        beta1 = beta1 == null ? DEFAULT_BETA1 : beta1;
        seed = seed == null ? DEFAULT_SEED : seed;
        check(epochs >= 1 && epochs <= MAX_EPOCHS, "epochs must be between 1 and " + MAX_EPOCHS + ", was " + epochs);
        check(batchSize >= 1 && batchSize <= MAX_BATCH_SIZE,
                "batchSize must be between 1 and " + MAX_BATCH_SIZE + ", was " + batchSize);
        check(learningRate > 0 && learningRate <= 1, "learningRate must be in (0, 1], was " + learningRate);
        check(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1), was " + beta1);
    }

    /** A request with the tutorial's defaults for everything but the dataset. */
    public static TrainingRequested forDataset(String datasetId) {
        return new TrainingRequested(datasetId, null, null, null, null, null, null, null);
    }

    public TrainingRequested withRunId(String newRunId) {
        return new TrainingRequested(datasetId, newRunId, epochs, batchSize, learningRate, beta1, seed, resumeFrom);
    }

    @Override
    public EventType eventType() {
        return EventType.TRAINING_REQUESTED;
    }

    /** Requests without a runId are keyed by dataset, so requests for one dataset stay ordered. */
    @Override
    public String aggregateId() {
        return runId != null ? runId : datasetId;
    }
}
