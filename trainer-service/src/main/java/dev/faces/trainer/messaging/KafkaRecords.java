package dev.faces.trainer.messaging;

import dev.faces.core.events.CloudEvent;
import dev.faces.core.events.EventCodec;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

final class KafkaRecords {
    private KafkaRecords() {
    }

    /** Decodes either CloudEvents mode; a bad record throws, which sends it to the dead-letter topic. */
    static CloudEvent decode(ConsumerRecord<String, byte[]> record) {
        Map<String, String> headers = new HashMap<>();
        for (Header h : record.headers()) {
            if (h.value() != null) {
                headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
            }
        }
        return EventCodec.decode(headers, record.value());
    }
}
