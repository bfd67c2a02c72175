package dev.faces.core.events;

import dev.faces.core.Topics;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The CloudEvent types of DESIGN §3, the data record each carries and the topic it travels on. */
public enum EventType {
    DATASET_BATCH("faces.dataset.batch.v1", DatasetBatch.class, Topics.DATASETS),
    DATASET_COMPLETED("faces.dataset.completed.v1", DatasetCompleted.class, Topics.DATASETS),
    TRAINING_REQUESTED("faces.training.requested.v1", TrainingRequested.class, Topics.TRAINING_REQUESTS),
    CHECKPOINT_PUBLISHED("faces.checkpoint.published.v1", CheckpointPublished.class, Topics.CHECKPOINTS),
    TRAINING_FINISHED("faces.training.finished.v1", TrainingFinished.class, Topics.CHECKPOINTS),
    SERVING_CHANGED("faces.serving.changed.v1", ServingChanged.class, Topics.SERVING);

    private final String type;
    private final Class<? extends EventData> dataClass;
    private final String topic;

    EventType(String type, Class<? extends EventData> dataClass, String topic) {
        this.type = type;
        this.dataClass = dataClass;
        this.topic = topic;
    }

    /** The CloudEvent {@code type} attribute. */
    public String type() {
        return type;
    }

    public Class<? extends EventData> dataClass() {
        return dataClass;
    }

    public String topic() {
        return topic;
    }

    public static EventType of(String type) {
        for (EventType t : values()) {
            if (t.type.equals(type)) {
                return t;
            }
        }
        throw new EventFormatException(EventFormatException.Kind.UNKNOWN_TYPE,
                "unknown CloudEvent type '" + type + "'; known types: "
                        + Arrays.stream(values()).map(EventType::type).collect(Collectors.joining(", ")));
    }
}
