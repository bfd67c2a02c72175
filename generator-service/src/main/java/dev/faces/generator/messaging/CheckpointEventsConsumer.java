package dev.faces.generator.messaging;

import dev.faces.core.events.CheckpointPublished;
import dev.faces.core.events.CloudEvent;
import dev.faces.core.events.EventCodec;
import dev.faces.core.events.TrainingFinished;
import dev.faces.generator.model.CheckpointLoader;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/** Follows {@code faces.checkpoints}: each published checkpoint is loaded and, by the policy, swapped in. */
@ApplicationScoped
public class CheckpointEventsConsumer {
    private static final Logger LOG = Logger.getLogger(CheckpointEventsConsumer.class);

    @Inject
    CheckpointLoader loader;

    @Incoming("checkpoints")
    @Blocking
    public void onRecord(ConsumerRecord<String, byte[]> record) {
        Map<String, String> headers = new HashMap<>();
        record.headers().forEach(h -> {
            if (h.value() != null) {
                headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
            }
        });
        CloudEvent event = EventCodec.decode(headers, record.value());
        if (event.data() instanceof CheckpointPublished c) {
            loader.onEvent(c.runId(), c.epoch(), c.generator().sha256(), c.metrics().swd(), c.metrics().swdEma(),
                    event.time() != null ? event.time() : Instant.now());
        } else if (event.data() instanceof TrainingFinished f) {
            LOG.infof("run %s finished: %s%s", f.runId(), f.status(), f.reason() == null ? "" : " (" + f.reason() + ")");
        }
    }
}
