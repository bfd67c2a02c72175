package dev.faces.core.events;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** A CloudEvent 1.0 envelope around pipeline event data. The type is derived from the data. */
public record CloudEvent(String id, String source, Instant time, EventData data) {
    public static final String SPEC_VERSION = "1.0";
    public static final String DATA_CONTENT_TYPE = "application/json";

    public CloudEvent {
        EventFormatException.required("id", id);
        EventFormatException.required("source", source);
        Objects.requireNonNull(data, "data");
    }

    /** A new event with a random id, stamped now. */
    public static CloudEvent of(String source, EventData data) {
        return new CloudEvent(UUID.randomUUID().toString(), source, Instant.now(), data);
    }

    public EventType type() {
        return data.eventType();
    }

    /** The subject and the Kafka key: the dataset or run id. */
    public String subject() {
        return data.aggregateId();
    }
}
