package dev.faces.trainer.messaging;

import dev.faces.core.events.CheckpointPublished;
import dev.faces.core.events.TrainingFinished;
import dev.faces.core.events.TrainingRequested;
import dev.faces.core.kafka.CloudEventProducer;
import dev.faces.trainer.runs.CheckpointAnnouncer;
import dev.faces.trainer.runs.RunManager;

/**
 * What the trainer sends: checkpoint and run events to {@code faces.checkpoints}, and training requests (from
 * REST and auto-train) to {@code faces.training-requests}, where the owner of the run's partition takes them.
 * Binary-mode CloudEvents keyed by runId. A send that the broker does not take throws, and the run pauses.
 */
public final class CheckpointEvents implements RunManager.Events, CheckpointAnnouncer.Publisher {
    public static final String SOURCE = "/faces/trainer-service";

    private final CloudEventProducer producer;

    public CheckpointEvents(CloudEventProducer producer) {
        this.producer = producer;
    }

    @Override
    public void publish(String eventId, CheckpointPublished event) {
        producer.send(eventId, event);
    }

    @Override
    public void finished(TrainingFinished event) {
        producer.send(event);
    }

    /** Puts a request on the topic, keyed by its runId, and returns once the broker has it. */
    public void request(TrainingRequested request) {
        producer.send(request);
    }
}
