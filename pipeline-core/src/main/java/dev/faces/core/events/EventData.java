package dev.faces.core.events;

/** The data of one pipeline CloudEvent (DESIGN §3). */
public sealed interface EventData
        permits DatasetBatch, DatasetCompleted, TrainingRequested, CheckpointPublished, TrainingFinished,
        ServingChanged {

    EventType eventType();

    /** The Kafka record key: the dataset or run the event belongs to, so its events stay in order. */
    String aggregateId();
}
