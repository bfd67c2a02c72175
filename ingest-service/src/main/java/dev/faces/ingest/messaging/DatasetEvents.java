package dev.faces.ingest.messaging;

import dev.faces.core.events.CloudEvent;
import dev.faces.core.events.DatasetBatch;
import dev.faces.core.events.DatasetCompleted;
import dev.faces.core.events.EventCodec;
import dev.faces.core.events.EventData;
import dev.faces.ingest.job.IngestJob;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Shard and completion events on {@code faces.datasets}: binary-mode CloudEvents keyed by datasetId. */
@ApplicationScoped
public class DatasetEvents implements IngestJob.Events {
    static final String SOURCE = "/faces/ingest-service";

    @Inject
    @Channel("datasets")
    MutinyEmitter<byte[]> emitter;

    @Override
    public void batch(DatasetBatch batch) {
        send(batch);
    }

    @Override
    public void completed(DatasetCompleted completed) {
        send(completed);
    }

    private void send(EventData data) {
        CloudEvent event = CloudEvent.of(SOURCE, data);
        RecordHeaders headers = new RecordHeaders();
        EventCodec.binaryHeaders(event).forEach((k, v) -> headers.add(k, v.getBytes(StandardCharsets.UTF_8)));
        emitter.sendMessageAndAwait(Message.of(EventCodec.dataJson(data)).addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder().withKey(event.subject()).withHeaders(headers).build()));
    }
}
