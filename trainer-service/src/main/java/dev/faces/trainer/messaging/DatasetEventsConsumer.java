package dev.faces.trainer.messaging;

import dev.faces.core.DatasetManifest;
import dev.faces.core.events.CloudEvent;
import dev.faces.core.events.DatasetBatch;
import dev.faces.core.events.DatasetCompleted;
import dev.faces.core.events.EventFormatException;
import dev.faces.core.events.TrainingRequested;
import dev.faces.core.kafka.CloudEventProducer;
import dev.faces.trainer.TrainerConfig;
import dev.faces.trainer.data.ShardCatalog;
import dev.faces.trainer.runs.RunManager;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * The fast path into the shard catalogue, from {@code faces.datasets}; optionally requests a run when a dataset
 * completes. Only a record that can never be used (unparseable, or images other than 64x64) is dead-lettered;
 * a request that Kafka does not take at once is retried until it does.
 */
@ApplicationScoped
public class DatasetEventsConsumer {
    private static final Logger LOG = Logger.getLogger(DatasetEventsConsumer.class);

    @Inject
    ShardCatalog catalog;

    @Inject
    RunManager runs;

    @Inject
    CheckpointEvents events;

    @Inject
    TrainerConfig config;

    @Incoming("datasets")
    @Blocking
    public void onRecord(ConsumerRecord<String, byte[]> record) throws InterruptedException {
        CloudEvent event = KafkaRecords.decode(record);
        if (event.data() instanceof DatasetBatch batch) {
            if (batch.imageSize() != DatasetManifest.IMAGE_SIZE) {
                throw new EventFormatException(EventFormatException.Kind.INVALID_VALUE, "imageSize must be "
                        + DatasetManifest.IMAGE_SIZE + " (the DCGAN takes 64x64 images), was " + batch.imageSize());
            }
            if (catalog.add(batch)) {
                LOG.debugf("dataset %s: shard %d (%d images)", batch.datasetId(), batch.shardIndex(), batch.imageCount());
            }
        } else if (event.data() instanceof DatasetCompleted completed) {
            if (catalog.complete(completed)) {
                LOG.infof("dataset %s complete: %d shards, %d images, %d rejected", completed.datasetId(),
                        completed.shardCount(), completed.imageCount(), completed.rejectedCount());
                runs.datasetChanged();
                if (config.trainer().autoTrain()) {
                    requestUntilTaken(new TrainingRequested(completed.datasetId(), "auto-" + completed.datasetId(),
                            config.trainer().autoTrainEpochs(), null, null, null, null, null));
                }
            }
        } else {
            throw new EventFormatException(EventFormatException.Kind.UNKNOWN_TYPE,
                    event.type().type() + " does not belong on faces.datasets");
        }
    }

    private void requestUntilTaken(TrainingRequested request) throws InterruptedException {
        while (true) {
            try {
                events.request(request);
                return;
            } catch (CloudEventProducer.UnavailableException e) {
                LOG.warnf("auto-train request for %s not yet taken (%s); retrying", request.datasetId(), e.getMessage());
                Thread.sleep(5000);
            }
        }
    }
}
