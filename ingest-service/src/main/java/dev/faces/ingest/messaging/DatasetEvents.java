package dev.faces.ingest.messaging;

import dev.faces.core.events.DatasetBatch;
import dev.faces.core.events.DatasetCompleted;
import dev.faces.core.kafka.CloudEventProducer;
import dev.faces.ingest.job.IngestJob;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;

/**
 * Shard and completion events on {@code faces.datasets}: binary-mode CloudEvents keyed by datasetId. A send that
 * the broker does not take within 30 s throws, and the job sends it again once Kafka is back; a messaging
 * channel would instead mark the service unhealthy and drop the job.
 */
@Singleton
public class DatasetEvents implements IngestJob.Events {
    static final String SOURCE = "/faces/ingest-service";

    private final CloudEventProducer producer;

    @Inject
    public DatasetEvents(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.producer = new CloudEventProducer(kafkaConfig, SOURCE, Duration.ofSeconds(30));
    }

    @Override
    public void batch(DatasetBatch batch) {
        producer.send(batch);
    }

    @Override
    public void completed(DatasetCompleted completed) {
        producer.send(completed);
    }

    @PreDestroy
    void close() {
        producer.close();
    }
}
