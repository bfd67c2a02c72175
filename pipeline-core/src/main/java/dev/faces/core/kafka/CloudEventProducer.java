package dev.faces.core.kafka;

import dev.faces.core.events.CloudEvent;
import dev.faces.core.events.EventCodec;
import dev.faces.core.events.EventData;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends pipeline events as binary-mode CloudEvents keyed by their aggregate id, and dead letters with their
 * reason. A send returns once the broker has the record, or throws {@link UnavailableException} when it could
 * not be delivered in time: the caller retries later, nothing is dropped in silence.
 */
public final class CloudEventProducer implements AutoCloseable {
    public static final String DEAD_LETTER_REASON = "dead-letter-reason";

    private final KafkaProducer<String, byte[]> producer;
    private final String source;
    private final Duration timeout;

    /** The broker did not take the record in time; it is safe to send it again. */
    public static final class UnavailableException extends RuntimeException {
        public UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * @param kafkaConfig client settings (bootstrap servers, security); serializers are set here
     * @param timeout     how long one send may take, retries included
     */
    public CloudEventProducer(Map<String, Object> kafkaConfig, String source, Duration timeout) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        config.remove("key.serializer");
        config.remove("value.serializer");
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        this.source = source;
        this.timeout = timeout;
    }

    /** Sends {@code data} with a fresh event id. */
    public void send(EventData data) {
        send(CloudEvent.of(source, data));
    }

    /** Sends {@code data} under a given event id: a repeat of the same fact carries the same id. */
    public void send(String eventId, EventData data) {
        send(new CloudEvent(eventId, source, java.time.Instant.now(), data));
    }

    private void send(CloudEvent event) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(event.type().topic(), event.subject(),
                EventCodec.dataJson(event.data()));
        EventCodec.binaryHeaders(event).forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        deliver(record, event.type().type() + " for " + event.subject());
    }

    /** The record as it came, on {@code <topic>.dlq}, with the reason it can never be processed. */
    public void deadLetter(ConsumerRecord<String, byte[]> original, String deadLetterTopic, String reason) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(deadLetterTopic, original.key(), original.value());
        for (Header h : original.headers()) {
            record.headers().add(h);
        }
        record.headers().add(DEAD_LETTER_REASON, reason.getBytes(StandardCharsets.UTF_8));
        record.headers().add("dead-letter-topic", original.topic().getBytes(StandardCharsets.UTF_8));
        record.headers().add("dead-letter-partition", String.valueOf(original.partition()).getBytes(StandardCharsets.UTF_8));
        record.headers().add("dead-letter-offset", String.valueOf(original.offset()).getBytes(StandardCharsets.UTF_8));
        deliver(record, "dead letter of " + original.topic() + "/" + original.partition() + "@" + original.offset());
    }

    private void deliver(ProducerRecord<String, byte[]> record, String what) {
        try {
            producer.send(record).get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while sending " + what, e);
        } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new UnavailableException("Kafka did not take " + what + ": " + cause, cause);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
