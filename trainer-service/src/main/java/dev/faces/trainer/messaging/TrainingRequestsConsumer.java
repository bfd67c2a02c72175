package dev.faces.trainer.messaging;

import dev.faces.core.events.CloudEvent;
import dev.faces.core.events.EventFormatException;
import dev.faces.core.events.TrainingRequested;
import dev.faces.trainer.runs.RunManager;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Runs requested on {@code faces.training-requests}; the record is acknowledged once run.json is written. */
@ApplicationScoped
public class TrainingRequestsConsumer {

    @Inject
    RunManager runs;

    @Incoming("training-requests")
    @Blocking
    public void onRecord(ConsumerRecord<String, byte[]> record) {
        CloudEvent event = KafkaRecords.decode(record);
        if (!(event.data() instanceof TrainingRequested request)) {
            throw new EventFormatException(EventFormatException.Kind.UNKNOWN_TYPE,
                    event.type().type() + " does not belong on faces.training-requests");
        }
        runs.submit(request);
    }
}
