package dev.faces.trainer.messaging;

import dev.faces.core.events.CheckpointPublished;
import dev.faces.core.events.CloudEvent;
import dev.faces.core.events.EventCodec;
import dev.faces.core.events.EventData;
import dev.faces.core.events.TrainingFinished;
import dev.faces.trainer.runs.RunManager;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Publishes checkpoint and run events to {@code faces.checkpoints} as binary-mode CloudEvents, keyed by runId. */
@ApplicationScoped
public class CheckpointEvents implements RunManager.Events {
    static final String SOURCE = "/faces/trainer-service";

    @Inject
    @Channel("checkpoints")
    MutinyEmitter<byte[]> emitter;

    @Override
    public void checkpoint(CheckpointPublished event) {
        send(event);
    }

    @Override
    public void finished(TrainingFinished event) {
        send(event);
    }

    private void send(EventData data) {
        CloudEvent event = CloudEvent.of(SOURCE, data);
        RecordHeaders headers = new RecordHeaders();
        EventCodec.binaryHeaders(event).forEach((k, v) -> headers.add(k, v.getBytes(StandardCharsets.UTF_8)));
        emitter.sendMessageAndAwait(Message.of(EventCodec.dataJson(data)).addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder().withKey(event.subject()).withHeaders(headers).build()));
    }
}
